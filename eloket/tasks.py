"""Background tasks: thin, take ids, idempotent; and ``enqueue_after_commit``, how a change asks for
one when the worker's work is also found in the database by a schedule."""

import logging
from functools import partial

from django.db import DatabaseError, transaction
from django_q.tasks import async_task
from redis.exceptions import RedisError

from eloket.models import TimelineEvent

logger = logging.getLogger(__name__)

# The broker (Redis, or the database on the embedded default) could not take the task.
BROKER_UNAVAILABLE = (RedisError, OSError, DatabaseError)


def enqueue_after_commit(func: str, *args) -> None:
    """Queue ``func(*args)`` once the current transaction commits, without failing the caller when the
    broker is unreachable then.

    Only for tasks whose work a schedule also finds in the database (the outbox dispatch, outbox
    e-mails, refunds waiting for the provider, bank movements to book, the status-change hook that
    only logs): the change is committed by the time the broker is asked, so an error would only tell
    the user that something failed which did not (and a city system would send its change again). The
    lost task is logged (``task_enqueue_failed``) and the schedule does the work on its next run
    (docs/deployment.md, "Redis unavailable"). A task that nothing else would find must not be queued
    this way.
    """
    transaction.on_commit(partial(enqueue_now, func, *args))


def enqueue_now(func: str, *args) -> str | None:
    """``async_task`` that logs (and returns None) instead of raising when the broker is unreachable."""
    try:
        return async_task(func, *args)
    except BROKER_UNAVAILABLE as error:
        logger.error("task_enqueue_failed func=%s error=%s", func, type(error).__name__)
        return None


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

    Decisions now reach their refunds through the outbox (``eloket.payments.services.refunds_fan_out``);
    this task stays for what an older release left queued in the broker.

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
