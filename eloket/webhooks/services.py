"""Writes for outbound webhooks: the outbox consumer that turns events into deliveries, and what a
coordinator does in the admin (endpoints, their secret, redelivery).

Every admin write checks the user manages the endpoint's organisation
(``eloket.integrations.coordinator_require``), validates, and leaves an audit-log entry.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task
from wagtail.log_actions import log

from eloket.integrations import coordinator_require
from eloket.models import EventType, Organisation, OutboxEvent, User, WebhookDelivery, WebhookEndpoint
from eloket.webhooks.client import UrlRefused, url_check

logger = logging.getLogger(__name__)

D = WebhookDelivery.Status

ACTION_ENDPOINT_CREATE = "eloket.webhook.create"
ACTION_ENDPOINT_EDIT = "eloket.webhook.edit"
ACTION_SECRET_ROTATE = "eloket.webhook.rotate_secret"  # noqa: S105 (an action name)
ACTION_REDELIVER = "eloket.webhook.redeliver"


# -- The outbox consumer ------------------------------------------------------------------------------


def webhooks_fan_out(events: list[OutboxEvent]) -> int:
    """One delivery per event × active endpoint of the event's organisation subscribed to its type.

    Runs inside ``eloket.outbox.outbox_dispatch``'s transaction: the deliveries commit with the batch
    being marked dispatched, or not at all. A delivery that already exists (unique endpoint × event)
    is left alone. After commit, one task delivers the batch (``eloket.webhooks.tasks``); a lost task
    costs nothing, the retry job finds the pending rows. Returns the number of rows offered.
    """
    if not events:
        return 0
    endpoints = defaultdict(list)
    for endpoint_id, organisation_id, subscribed in WebhookEndpoint.objects.filter(
        organisation_id__in={event.organisation_id for event in events}, active=True
    ).values_list("id", "organisation_id", "events"):
        endpoints[organisation_id].append((endpoint_id, frozenset(subscribed or ())))
    now = timezone.now()
    rows = [
        WebhookDelivery(endpoint_id=endpoint_id, event_id=event.pk, status=D.PENDING, next_attempt_at=now)
        for event in events
        for endpoint_id, subscribed in endpoints.get(event.organisation_id, ())
        if event.type in subscribed
    ]
    if not rows:
        return 0
    WebhookDelivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    event_ids = sorted({row.event_id for row in rows})
    transaction.on_commit(lambda: async_task("eloket.webhooks.tasks.webhooks_deliver_events", event_ids))
    logger.info("webhooks_fanned_out events=%s deliveries=%s", len(events), len(rows))
    return len(rows)


# -- Endpoints -----------------------------------------------------------------------------------------


def webhook_url_validate(url: str) -> str:
    """The URL as it will be used, or a ValidationError saying why it cannot be."""
    url = url.strip()
    try:
        url_check(url, allow_local=settings.WEBHOOK_ALLOW_LOCAL)
    except UrlRefused:
        if settings.WEBHOOK_ALLOW_LOCAL:
            message = _("Geef een adres dat met https:// of http:// begint, zonder gebruikersnaam.")
        else:
            message = _("Geef een openbaar https://-adres, zonder gebruikersnaam.")
        raise ValidationError({"url": message}, code="url_refused") from None
    return url


def _events_clean(events) -> list[str]:
    chosen = sorted(set(events or []))
    if not chosen:
        raise ValidationError({"events": _("Kies minstens één gebeurtenis.")}, code="no_events")
    if not set(chosen) <= set(EventType.values):
        raise ValidationError({"events": _("Onbekende gebeurtenis.")}, code="unknown_event")
    return chosen


@transaction.atomic
def endpoint_create(
    *, organisation: Organisation, url: str, events, active: bool = True, user: User
) -> WebhookEndpoint:
    coordinator_require(user=user, organisation_id=organisation.pk)
    endpoint = WebhookEndpoint(
        organisation=organisation, url=webhook_url_validate(url), events=_events_clean(events), active=active
    )
    endpoint.full_clean()
    endpoint.save()
    log(instance=endpoint, action=ACTION_ENDPOINT_CREATE, user=user)
    logger.info("webhook_endpoint_created endpoint=%s organisation=%s", endpoint.pk, organisation.pk)
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint_id: int, url: str, events, active: bool, user: User) -> WebhookEndpoint:
    """Change where, what and whether. Deliveries already made for it keep their history; pending ones
    go to the new address."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    coordinator_require(user=user, organisation_id=endpoint.organisation_id)
    endpoint.url = webhook_url_validate(url)
    endpoint.events = _events_clean(events)
    endpoint.active = active
    endpoint.full_clean()
    endpoint.save(update_fields=["url", "events", "active"])
    log(instance=endpoint, action=ACTION_ENDPOINT_EDIT, user=user)
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint_id: int, user: User) -> WebhookEndpoint:
    """A new signing secret, used from the next request on (also for retries of older events).

    The replaced secret keeps signing next to it for ``WEBHOOK_SECRET_OVERLAP_HOURS`` (0: not at all),
    so the receiver can take the new one over without refusing messages meanwhile. Rotating again
    within the overlap ends the older secret's at once: only the secret just replaced signs along.
    """
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    coordinator_require(user=user, organisation_id=endpoint.organisation_id)
    overlap = dt.timedelta(hours=max(settings.WEBHOOK_SECRET_OVERLAP_HOURS, 0))
    if overlap:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + overlap
    else:
        endpoint.previous_secret = ""
        endpoint.previous_secret_until = None
    endpoint.secret = secrets.token_hex()
    endpoint.full_clean()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    until = endpoint.previous_secret_until.isoformat() if endpoint.previous_secret_until else None
    log(instance=endpoint, action=ACTION_SECRET_ROTATE, user=user, data={"previous_secret_until": until})
    logger.info("webhook_secret_rotated endpoint=%s previous_until=%s", endpoint.pk, until)
    return endpoint


# -- Deliveries ----------------------------------------------------------------------------------------


class RedeliveryRefused(ValidationError):
    pass


@transaction.atomic
def delivery_redeliver(*, delivery_id: int, user: User) -> WebhookDelivery:
    """One more attempt of the same delivery (same event id, so a receiver that already has it can
    ignore it): back to pending, due now, and sent after commit. Counts as an attempt like any other;
    when it fails, the retry schedule goes on from the attempts made (or gives up)."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery_id)
    )
    coordinator_require(user=user, organisation_id=delivery.endpoint.organisation_id)
    if delivery.status == D.SENDING:
        raise RedeliveryRefused(_("Deze melding wordt op dit moment verstuurd."), code="sending")
    if not delivery.endpoint.active:
        raise RedeliveryRefused(_("Deze webhook staat niet actief."), code="inactive")
    delivery.status = D.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    log(
        instance=delivery.endpoint,
        action=ACTION_REDELIVER,
        user=user,
        data={"delivery": delivery.pk, "event": delivery.event_id},
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: async_task("eloket.webhooks.tasks.webhook_deliver", delivery_id))
    logger.info("webhook_redelivery delivery=%s endpoint=%s", delivery.pk, delivery.endpoint_id)
    return delivery
