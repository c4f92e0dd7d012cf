"""Background tasks: thin, take ids, idempotent."""

import logging

from django.db.models import F

from eloket.models import TimelineEvent

logger = logging.getLogger(__name__)


def dossier_transitioned(event_id: int) -> str | None:
    """Follow-up of a status change, queued after commit.

    The hook where notifications and outbound events attach (later issues); it reads the event again,
    so a retried task sees the same state and does the same thing.
    """
    event = TimelineEvent.objects.filter(pk=event_id).only("id", "dossier_id", "kind").first()
    if event is None:
        logger.warning("dossier_transitioned_missing event=%s", event_id)
        return None
    logger.info("dossier_followup event=%s dossier=%s kind=%s", event.pk, event.dossier_id, event.kind)
    return event.kind


def notification_send(notification_id: int) -> str:
    """Send one outbox e-mail. Claims the row first (pending → sending, in one UPDATE), so two workers
    given the same id never both send it; a sent row is never sent again."""
    from django.core.mail import EmailMultiAlternatives
    from django.utils import timezone

    from eloket.constants import NotificationStatus
    from eloket.models import Notification

    claimed = Notification.objects.filter(
        pk=notification_id, status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED]
    ).update(status=NotificationStatus.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.to_email],
        headers={"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except Exception as error:  # the SMTP server's problem is recorded; the task may be retried
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED, last_error=str(error)[:2000]
        )
        logger.warning("notification_failed notification=%s error=%s", notification_id, type(error).__name__)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info("notification_sent notification=%s template=%s", notification_id, notification.template)
    return "sent"


def refund_due(dossier_id: int, amount_cents: int) -> str:
    """A decision left money to give back (an upheld or partly upheld contest on a paid dossier).

    The payment channel that took the money refunds it (``eloket.payments.services``): an online
    payment through the provider, a bank transfer as a to-do for a clerk with the payer's account from
    the bank statement. Idempotent: keyed on the decision, a retry finds the refunds already made.
    """
    from eloket.payments.services import refund_for_decision

    refunds = refund_for_decision(dossier_id=dossier_id, amount_cents=amount_cents)
    logger.info("refund_due dossier=%s amount_cents=%s refunds=%s", dossier_id, amount_cents, len(refunds))
    return ",".join(f"{r.pk}:{r.status}" for r in refunds)
