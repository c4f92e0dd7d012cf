"""The transactional outbox: events written in the same transaction as the change they report, and
dispatched exactly once to their consumers.

- ``outbox_emit`` writes one event (call it inside the service's transaction);
  ``outbox_emit_sql`` gives the SQL pieces for set-based writers (the bulk import, the permit
  cross-check) that insert many events with one ``INSERT … SELECT``.
- ``outbox_dispatch`` (a django-q2 task, poked after each commit that wrote events and run by a
  schedule, ``eloket.schedules``) takes pending events in id order, hands each batch to every consumer
  in ``OUTBOX_CONSUMERS`` inside one transaction, and marks the batch dispatched in that same
  transaction. A worker that dies mid-batch rolls the whole batch back: nothing is dispatched twice and
  nothing is lost. Consumers only write rows (webhook deliveries, outbox e-mails, digest lines,
  refunds, Mijn Burgerprofiel announcements); the network is touched by their own tasks, after commit.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from eloket.models import OutboxEvent
from eloket.tasks import BROKER_UNAVAILABLE, enqueue_now

logger = logging.getLogger(__name__)

# Each is called as ``consumer(events)`` with a list of OutboxEvent (dossier, party and organisation
# selected), inside the dispatch transaction.
OUTBOX_CONSUMERS: tuple[str, ...] = (
    "eloket.webhooks.webhooks_fan_out",
    "eloket.mail.mail_fan_out",
    "eloket.payments.services.refunds_fan_out",
    "eloket.profile.services.announcements_fan_out",
)

_POKE_KEY = "eloket:outbox:poke"


def outbox_emit(*, type: str, organisation_id: int, dossier=None, party_id=None, data=None) -> OutboxEvent:
    """One event, in the caller's transaction; dispatch is poked after it commits."""
    if party_id is None and dossier is not None:
        party_id = dossier.party_id
    event = OutboxEvent.objects.create(
        type=type,
        organisation_id=organisation_id,
        dossier=dossier,
        party_id=party_id,
        data=data or {},
    )
    outbox_poke_after_commit()
    return event


def outbox_poke_after_commit() -> None:
    transaction.on_commit(outbox_poke)


def outbox_poke() -> None:
    """Queue a dispatch, at most one a second however many commits ask for it.

    Called after commit: when the cache or the broker (Redis) cannot be reached, the events are
    committed already and the dispatch schedule takes them up, so this logs and returns instead of
    failing the request that wrote them."""
    try:
        first = cache.add(_POKE_KEY, 1, timeout=1)
    except BROKER_UNAVAILABLE as error:
        logger.error("outbox_poke_failed error=%s", type(error).__name__)
        return
    if first:
        enqueue_now("eloket.outbox.outbox_dispatch")


def outbox_emit_sql(*, type: str) -> tuple[str, str]:
    """(column list, value expressions) for ``INSERT INTO eloket_outboxevent (…) SELECT …`` where the
    SELECT provides ``organisation_id, dossier_id, party_id, data`` after these leading values.

    ``data`` must be a JSON text; on PostgreSQL it is cast to jsonb by the caller's SELECT via
    ``outbox_json_cast``.
    """
    # Django keeps UUIDs on SQLite as 32 hex characters.
    event_id = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    columns = "event_id, type, created_at, organisation_id, dossier_id, party_id, data"
    leading = f"{event_id}, %s, %s"
    return columns, leading


def outbox_json_cast(expression: str) -> str:
    return f"CAST({expression} AS jsonb)" if connection.vendor == "postgresql" else expression


def outbox_dispatch(*, batch_size: int | None = None, budget_seconds: float = 50.0) -> int:
    """Dispatch pending events until none are left or the time budget is spent. Returns the count."""
    batch_size = batch_size or settings.OUTBOX_DISPATCH_BATCH
    consumers = [import_string(path) for path in OUTBOX_CONSUMERS]
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        done = _dispatch_batch(consumers, batch_size)
        total += done
        if done < batch_size:
            break
    else:
        outbox_poke()  # more left: another worker (or this one, next) goes on
    if total:
        logger.info("outbox_dispatched events=%s", total)
    return total


def _dispatch_batch(consumers, batch_size: int) -> int:
    with transaction.atomic():
        pending = OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        events = list(pending.select_related("dossier", "party", "organisation")[:batch_size])
        if not events:
            return 0
        for consume in consumers:
            consume(events)
        OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(dispatched_at=timezone.now())
    return len(events)
