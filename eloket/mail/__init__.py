"""E-mail to citizens about their dossiers (docs/mail.md).

- ``mail_fan_out(events)``: the outbox consumer (``eloket.outbox.OUTBOX_CONSUMERS``) that turns
  ``dossier.created``, ``dossier.updated``, ``dossier.cancelled_by_permit`` and
  ``dossier.cancelled_by_session`` events into outbox e-mails, or digest lines for parties that get
  one mail a day (``fan_out``).
- ``digest``: the daily digest; ``reminders``: deadline reminders; both run from the hourly
  ``eloket.mail.tasks.mail_daily`` job.
- ``sending``: claim, send over one SMTP connection, mark sent; recovery of what a dead worker left.
- ``render``/``content``: a mail rendered once per shape and language, filled in per recipient.
- ``services``/``forms``/``views``: the citizen's mail preferences page.
"""

from eloket.mail.fan_out import mail_fan_out

__all__ = ["mail_fan_out"]
