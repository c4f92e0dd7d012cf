"""Form pages and submissions arrive with the forms issue; the app and its label exist from the start
so that its migrations never need renaming."""
