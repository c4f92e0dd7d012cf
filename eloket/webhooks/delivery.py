"""Sending a delivery: claim it, POST the signed event, record what came back, schedule the retry.

- A delivery is claimed (pending or failed and due → sending, ``attempts + 1``) in one UPDATE, so two
  workers given the same id never both send it; the claim's time is its token: the outcome is only
  written while that claim still holds.
- The signature carries the current secret's ``v1`` and, during a rotation's overlap, the replaced
  secret's too (``previous_secrets``).
- 2xx is success. Anything else (another status, a redirect, a timeout, a refused address) is a
  failed attempt: retried after ``WEBHOOK_RETRY_MINUTES[attempts - 1]`` (the last value repeats)
  until ``WEBHOOK_MAX_ATTEMPTS``, then ``gave_up``.
- A delivery left in ``sending`` longer than ``WEBHOOK_CLAIM_TIMEOUT_SECONDS`` lost its worker;
  ``deliveries_reclaim`` makes it due again (the receiver may have had it: that is what the event id
  in ``Eloket-Event-Id`` is for).
- In one run, once an endpoint cannot be reached (timeout, refused connection), its other deliveries
  of that run are recorded as failed attempts without waiting for the same timeout again.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from eloket.models import WebhookDelivery, WebhookEndpoint
from eloket.webhooks import client
from eloket.webhooks.payload import payload_body
from eloket.webhooks.signature import signature_header

logger = logging.getLogger(__name__)

D = WebhookDelivery.Status
CLAIMABLE = (D.PENDING, D.FAILED)
USER_AGENT = "eloket-webhooks/1"


@dataclass
class Outcome:
    succeeded: bool
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    unreachable: bool = False


def retry_delay(attempts: int) -> dt.timedelta:
    schedule = settings.WEBHOOK_RETRY_MINUTES or [1]
    return dt.timedelta(minutes=schedule[min(max(attempts, 1), len(schedule)) - 1])


def _due(now) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def delivery_claim(delivery_id: int) -> dt.datetime | None:
    """The claim's time when this worker now owns the delivery, None when it is not due or not ours."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status__in=CLAIMABLE)
        .filter(_due(now))
        .update(status=D.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return now if claimed else None


def previous_secrets(endpoint: WebhookEndpoint, *, now: dt.datetime) -> tuple[str, ...]:
    """The replaced secret while its rotation's overlap lasts (``previous_secret_until`` in the
    future), else nothing: after the window only the current secret signs."""
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and now < until:
        return (endpoint.previous_secret,)
    return ()


def _send(delivery: WebhookDelivery) -> Outcome:
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.active:
        return Outcome(succeeded=False, error="the webhook is not active")
    body = payload_body(event)
    signature = signature_header(
        secret=endpoint.secret, payload=body, previous=previous_secrets(endpoint, now=timezone.now())
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Eloket-Event-Id": str(event.event_id),
        "Eloket-Event-Type": event.type,
        "Eloket-Signature": signature,
    }
    try:
        result = client.post(
            url=endpoint.url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_local=settings.WEBHOOK_ALLOW_LOCAL,
        )
    except client.UrlRefused as refused:
        return Outcome(succeeded=False, error=f"refused: {refused}")
    except (OSError, http.client.HTTPException) as error:  # timeouts, refused connections, TLS, bad answers
        return Outcome(succeeded=False, error=f"{type(error).__name__}: {error}", unreachable=True)
    if 200 <= result.status < 300:
        return Outcome(succeeded=True, status=result.status, excerpt=result.excerpt)
    error = f"HTTP {result.status}"
    if 300 <= result.status < 400:
        error = f"HTTP {result.status}: redirects are not followed ({result.location[:200]})"
    return Outcome(succeeded=False, status=result.status, excerpt=result.excerpt, error=error)


def _record(delivery_id: int, claimed_at: dt.datetime, attempts: int, outcome: Outcome) -> str:
    now = timezone.now()
    fields = {
        "response_status": outcome.status,
        "response_excerpt": outcome.excerpt[:500],
        "last_error": outcome.error[:500],
    }
    if outcome.succeeded:
        fields.update(status=D.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=D.GAVE_UP, next_attempt_at=None)
    else:
        fields.update(status=D.FAILED, next_attempt_at=now + retry_delay(attempts))
    written = WebhookDelivery.objects.filter(pk=delivery_id, status=D.SENDING, claimed_at=claimed_at).update(
        **fields
    )
    if not written:  # reclaimed meanwhile (this worker was taken for dead): the newer claim records
        logger.warning("webhook_outcome_dropped delivery=%s", delivery_id)
    return fields["status"]


def delivery_attempt(delivery_id: int, *, unreachable: set[int] | None = None) -> str:
    """Claim and send one delivery; returns its new status, or "skipped" when it was not claimable.

    ``unreachable``: endpoints found unreachable earlier in this run; a delivery to one of them is
    recorded as a failed attempt without trying (and an endpoint found unreachable now is added).
    """
    claimed_at = delivery_claim(delivery_id)
    if claimed_at is None:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related(
        "endpoint", "event", "event__organisation", "event__dossier"
    ).get(pk=delivery_id)
    if unreachable is not None and delivery.endpoint_id in unreachable:
        outcome = Outcome(succeeded=False, error="not tried: the webhook was unreachable in this round")
    else:
        outcome = _send(delivery)
        if outcome.unreachable and unreachable is not None:
            unreachable.add(delivery.endpoint_id)
    status = _record(delivery_id, claimed_at, delivery.attempts, outcome)
    logger.info(
        "webhook_attempt delivery=%s endpoint=%s event=%s attempt=%s status=%s response=%s",
        delivery_id,
        delivery.endpoint_id,
        delivery.event_id,
        delivery.attempts,
        status,
        outcome.status,
    )
    return status


def deliveries_attempt(delivery_ids, *, budget_seconds: float | None = None) -> dict[str, int]:
    """Attempt each delivery in turn until the time budget is spent; the rest stay due for the retry
    job. Returns the count per outcome (and "left" for those not reached)."""
    budget = settings.WEBHOOK_TASK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    unreachable: set[int] = set()
    counts: dict[str, int] = {}
    ids = list(delivery_ids)
    for position, delivery_id in enumerate(ids):
        if time.monotonic() - started > budget:
            counts["left"] = len(ids) - position
            break
        status = delivery_attempt(delivery_id, unreachable=unreachable)
        counts[status] = counts.get(status, 0) + 1
    return counts


def deliveries_reclaim() -> int:
    """Deliveries whose worker died mid-send (still ``sending`` after the claim timeout): due again,
    or given up when they had their last attempt."""
    now = timezone.now()
    stuck = WebhookDelivery.objects.filter(
        status=D.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS),
    )
    error = "interrupted: the worker stopped while sending"
    gave_up = stuck.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).update(
        status=D.GAVE_UP, next_attempt_at=None, last_error=error
    )
    retried = stuck.filter(attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS).update(
        status=D.FAILED, next_attempt_at=now, last_error=error
    )
    if gave_up or retried:
        logger.warning("webhook_deliveries_reclaimed retried=%s gave_up=%s", retried, gave_up)
    return gave_up + retried


def deliveries_due(*, limit: int) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status__in=CLAIMABLE)
        .filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
