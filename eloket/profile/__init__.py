"""Dossiers announced to the citizen's Mijn Burgerprofiel (docs/profile.md).

- ``announcer``: the one adapter interface (``ProfileAnnouncer``) and its implementation for the local
  stand-in; no public Mijn Burgerprofiel API for cases was found.
- ``services``: the outbox consumer ``announcements_fan_out`` (``eloket.outbox.OUTBOX_CONSUMERS``) and
  the delivery with retries; ``tasks``: the django-q2 tasks.
- ``standin``: ``python -m eloket.profile.standin --port 12112``, the stand-in of the profile's API.
"""
