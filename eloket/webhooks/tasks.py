"""django-q2 entry points for webhooks: thin, take ids, safe to run twice (every send is claimed first).

- ``webhooks_deliver_events``: queued once per outbox batch by ``webhooks_fan_out``, after commit.
- ``webhook_deliver``: one delivery, queued by a coordinator's "redeliver".
- ``webhooks_retry``: the schedule (``eloket.schedules``): reclaims deliveries whose worker died and
  sends whatever is due (retries, and anything a lost task left pending).
"""

from __future__ import annotations

import logging

from eloket.models import WebhookDelivery
from eloket.webhooks.delivery import deliveries_attempt, deliveries_due, deliveries_reclaim, delivery_attempt

logger = logging.getLogger(__name__)

RETRY_BATCH = 500


def webhooks_deliver_events(event_ids: list[int]) -> dict[str, int]:
    ids = (
        WebhookDelivery.objects.filter(event_id__in=event_ids, status=WebhookDelivery.Status.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    counts = deliveries_attempt(list(ids))
    logger.info("webhooks_delivered events=%s %s", len(event_ids), _format(counts))
    return counts


def webhook_deliver(delivery_id: int) -> str:
    return delivery_attempt(delivery_id)


def webhooks_retry() -> dict[str, int]:
    reclaimed = deliveries_reclaim()
    counts = deliveries_attempt(deliveries_due(limit=RETRY_BATCH))
    if reclaimed:
        counts["reclaimed"] = reclaimed
    if counts:
        logger.info("webhooks_retried %s", _format(counts))
    return counts


def _format(counts: dict[str, int]) -> str:
    return " ".join(f"{key}={value}" for key, value in sorted(counts.items()))
