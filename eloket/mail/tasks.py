"""django-q2 tasks of the mail package: thin, they take ids (or nothing) and are idempotent."""

from __future__ import annotations


def notifications_send_batch(notification_ids: list[int]) -> str:
    """Send these outbox e-mails over one SMTP connection (queued by ``eloket.mail.queue``)."""
    from eloket.mail.sending import notifications_send

    outcome = notifications_send(list(notification_ids))
    return " ".join(f"{name}={count}" for name, count in sorted(outcome.items()))


def notifications_recover() -> str:
    """Schedule: requeue mails a dead worker left in ``sending``, lost pending ones, failed ones due."""
    from eloket.mail.sending import notifications_recover as recover

    result = recover()
    return " ".join(f"{name}={count}" for name, count in sorted(result.items()))


def mail_daily() -> str:
    """Schedule (hourly): from ``MAIL_DAILY_HOUR`` on, today's digests and deadline reminders."""
    from django.conf import settings
    from django.utils import timezone

    from eloket.mail.digest import mail_digests_send
    from eloket.mail.reminders import mail_reminders_send

    if timezone.localtime().hour < settings.MAIL_DAILY_HOUR:
        return "waiting"
    reminders = mail_reminders_send()
    digests = mail_digests_send()
    return f"reminders={reminders} digests={digests}"
