"""Logins: citizens through ACM/IDM (OpenID Connect, allauth), staff with a password and TOTP (allauth.mfa),
one dossier without login (reference, plate and check value). See docs/login.md."""
