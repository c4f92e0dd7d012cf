"""Background tasks: thin, take ids, idempotent."""

import logging

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
    """Send one outbox e-mail: "sent", "failed" (recorded on the row, retried by the recovery job) or
    "skipped" (sent already, or claimed by another worker). The claim, the send and the recovery of a
    row a dead worker left in "sending" are ``eloket.mail.sending``'s (docs/mail.md)."""
    from eloket.mail.sending import notifications_send

    outcome = notifications_send([notification_id])
    for result in ("sent", "failed"):
        if outcome[result]:
            return result
    return "skipped"


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


RETENTION_TIME_BUDGET_S = 240  # under the task queue's 300 s timeout (Q_CLUSTER)


def retention_nightly() -> dict[str, int]:
    """The nightly retention run (``eloket.schedules``): counts per category and action, no ids.
    Stops starting batches after ``RETENTION_TIME_BUDGET_S``; a backlog is worked off night by night."""
    from django.utils import timezone

    from eloket.retention import retention_apply

    report = retention_apply(now=timezone.now(), dry_run=False, time_budget_s=RETENTION_TIME_BUDGET_S)
    totals: dict[str, int] = {}
    for (_organisation, category, action), count in report.counts.items():
        totals[f"{category}:{action}"] = totals.get(f"{category}:{action}", 0) + count
    return totals
