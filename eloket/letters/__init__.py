"""Letters by post for whoever is not yet digital (docs/letters.md): the document
(``eloket.letters.document``), the daily batches for the print house (``eloket.letters.services``)."""
