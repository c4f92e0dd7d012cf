"""Rotating a webhook's secret with an overlap: for WEBHOOK_SECRET_OVERLAP_HOURS the replaced secret
signs next to the new one (a second ``v1`` in ``Eloket-Signature``), so a receiver that still has the
old secret, or already the new one, accepts the message; after the window only the new one signs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from eloket.models import OutboxEvent, WebhookDelivery
from eloket.webhooks import signature_header, signature_verify
from eloket.webhooks.delivery import delivery_attempt
from eloket.webhooks.services import endpoint_secret_rotate, webhooks_fan_out
from tests.eloket.webhooks.conftest import coordinator_make, event_make

pytestmark = pytest.mark.django_db

D = WebhookDelivery.Status
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BODY = b'{"id":"e1"}'


def v1_signatures(header: str) -> list[str]:
    return [part.removeprefix("v1=") for part in header.split(",") if part.startswith("v1=")]


def delivery_send(event) -> WebhookDelivery:
    webhooks_fan_out(list(OutboxEvent.objects.filter(pk=event.pk).select_related("organisation", "dossier")))
    delivery = WebhookDelivery.objects.get(event=event)
    delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_a_header_with_a_previous_secret_carries_one_v1_per_secret_and_verifies_with_either():
    header = signature_header(secret="new", payload=BODY, timestamp=1000, previous=("old",))

    assert header.startswith("t=1000,v1=")
    assert len(v1_signatures(header)) == 2
    assert signature_verify(BODY, header, "new", None) == 1000
    assert signature_verify(BODY, header, "old", None) == 1000
    assert header.split(",")[:2] == signature_header(secret="new", payload=BODY, timestamp=1000).split(",")


def test_after_a_rotation_the_old_secret_still_signs_during_the_overlap(
    genk, genk_endpoint, receiver, settings
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    old = genk_endpoint.secret
    coordinator = coordinator_make(genk)
    with time_machine.travel(START, tick=False):
        endpoint = endpoint_secret_rotate(endpoint_id=genk_endpoint.pk, user=coordinator)
    assert (endpoint.previous_secret, endpoint.previous_secret_until) == (old, START + dt.timedelta(hours=24))
    assert endpoint.secret != old

    with time_machine.travel(START + dt.timedelta(hours=23, minutes=59), tick=False):
        receiver.secret = old  # the receiver has not switched yet
        assert delivery_send(event_make(genk)).status == D.SUCCEEDED
        receiver.secret = endpoint.secret  # it has
        assert delivery_send(event_make(genk)).status == D.SUCCEEDED

    first, second = receiver.requests
    assert first.verified and second.verified
    assert len(v1_signatures(first.headers["Eloket-Signature"])) == 2


def test_after_the_overlap_only_the_new_secret_signs(genk, genk_endpoint, receiver, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    old = genk_endpoint.secret
    with time_machine.travel(START, tick=False):
        endpoint = endpoint_secret_rotate(endpoint_id=genk_endpoint.pk, user=coordinator_make(genk))

    with time_machine.travel(START + dt.timedelta(hours=24), tick=False):
        receiver.secret = old
        assert delivery_send(event_make(genk)).status == D.FAILED
        receiver.secret = endpoint.secret
        assert delivery_send(event_make(genk)).status == D.SUCCEEDED

    refused, accepted = receiver.requests
    assert not refused.verified and accepted.verified
    assert len(v1_signatures(accepted.headers["Eloket-Signature"])) == 1


def test_without_an_overlap_the_old_secret_stops_signing_at_once(genk, genk_endpoint, receiver, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 0
    old = genk_endpoint.secret
    endpoint = endpoint_secret_rotate(endpoint_id=genk_endpoint.pk, user=coordinator_make(genk))

    assert (endpoint.previous_secret, endpoint.previous_secret_until) == ("", None)
    receiver.secret = old
    assert delivery_send(event_make(genk)).status == D.FAILED


def test_rotating_again_within_the_overlap_keeps_only_the_secret_just_replaced(
    genk, genk_endpoint, receiver, settings
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    first = genk_endpoint.secret
    coordinator = coordinator_make(genk)
    with time_machine.travel(START, tick=False):
        second = endpoint_secret_rotate(endpoint_id=genk_endpoint.pk, user=coordinator).secret
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        endpoint = endpoint_secret_rotate(endpoint_id=genk_endpoint.pk, user=coordinator)
        assert (endpoint.previous_secret, endpoint.previous_secret_until) == (
            second,
            START + dt.timedelta(hours=25),
        )
        receiver.secret = first
        assert delivery_send(event_make(genk)).status == D.FAILED
        receiver.secret = second
        assert delivery_send(event_make(genk)).status == D.SUCCEEDED


def test_the_admins_new_secret_button_keeps_the_old_secret_signing(client, genk, genk_endpoint, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 6
    old = genk_endpoint.secret
    client.force_login(coordinator_make(genk))
    with time_machine.travel(START, tick=False):
        response = client.post(reverse("eloket_webhooks:rotate", args=[genk_endpoint.pk]))

    assert response.status_code == 302
    genk_endpoint.refresh_from_db()
    assert genk_endpoint.secret != old
    assert (genk_endpoint.previous_secret, genk_endpoint.previous_secret_until) == (
        old,
        START + dt.timedelta(hours=6),
    )


def test_the_webhooks_page_says_until_when_the_old_secret_signs_along(client, genk, genk_endpoint, settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 6
    client.force_login(coordinator_make(genk))
    edit_url = reverse("eloket_webhooks:edit", args=[genk_endpoint.pk])
    with time_machine.travel(START, tick=False):
        confirm = client.get(reverse("eloket_webhooks:rotate", args=[genk_endpoint.pk]))
        assert "6 uur mee" in confirm.content.decode()
        assert 'data-testid="webhook-previous-secret"' not in client.get(edit_url).content.decode()
        client.post(reverse("eloket_webhooks:rotate", args=[genk_endpoint.pk]))
        assert 'data-testid="webhook-previous-secret"' in client.get(edit_url).content.decode()
    with time_machine.travel(START + dt.timedelta(hours=6), tick=False):
        assert 'data-testid="webhook-previous-secret"' not in client.get(edit_url).content.decode()
