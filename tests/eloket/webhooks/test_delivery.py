"""Sending deliveries to a real receiver on 127.0.0.1: signed, recorded, retried with backoff, given
up, recovered from a dead worker, and never sent to a redirect's target or a refused address."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from eloket.models import EventType, WebhookDelivery
from eloket.webhooks import webhooks_fan_out
from eloket.webhooks.client import UrlRefused, url_check
from eloket.webhooks.delivery import delivery_attempt, delivery_claim
from eloket.webhooks.tasks import webhook_deliver, webhooks_deliver_events, webhooks_retry
from tests.eloket.webhooks.conftest import Answer, endpoint_make, event_make

pytestmark = pytest.mark.django_db

D = WebhookDelivery.Status
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def delivery_for(event) -> WebhookDelivery:
    from eloket.models import OutboxEvent

    webhooks_fan_out(list(OutboxEvent.objects.filter(pk=event.pk).select_related("organisation", "dossier")))
    return WebhookDelivery.objects.get(event=event)


def test_a_delivery_is_signed_verified_by_the_receiver_and_recorded(
    genk, genk_dossier, genk_endpoint, receiver
):
    event = event_make(
        genk,
        type=EventType.DOSSIER_PAID,
        dossier=genk_dossier,
        data={"payment": {"reference": "P-1", "channel": "stripe", "amount_cents": 2000}},
    )
    delivery = delivery_for(event)

    assert webhooks_deliver_events([event.pk]) == {"succeeded": 1}

    (request,) = receiver.requests
    assert request.verified
    assert request.path == "/hooks/eloket"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Eloket-Event-Id"] == str(event.event_id)
    assert request.headers["Eloket-Signature"].startswith("t=")
    payload = request.json()
    assert payload["id"] == str(event.event_id)
    assert payload["type"] == "dossier.paid"
    assert payload["organisation"] == "genk"
    assert dt.datetime.fromisoformat(payload["created"]) == event.created_at
    assert payload["data"]["payment"] == {"reference": "P-1", "channel": "stripe", "amount_cents": 2000}
    summary = payload["data"]["dossier"]
    assert (summary["reference"], summary["external_id"]) == (
        genk_dossier.reference,
        genk_dossier.external_id,
    )
    assert (summary["kind"], summary["status"]) == (genk_dossier.kind, genk_dossier.status)
    assert summary["amount_due_cents"] == genk_dossier.amount_due_cents
    body = request.body.decode()
    assert "Jan Janssens" not in body and "jan@example.be" not in body
    assert genk_dossier.party.identifier_masked not in body

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (D.SUCCEEDED, 1, 200)
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.delivered_at is not None and delivery.last_error == ""


def test_a_receiver_that_cannot_verify_the_signature_makes_the_attempt_fail(genk, genk_endpoint, receiver):
    delivery = delivery_for(event_make(genk))
    receiver.secret = "not-the-endpoints-secret"

    assert delivery_attempt(delivery.pk) == D.FAILED

    delivery.refresh_from_db()
    assert (delivery.response_status, delivery.response_excerpt) == (400, "bad signature")
    assert delivery.last_error == "HTTP 400"


def test_failures_are_retried_after_1_5_30_120_and_720_minutes_then_given_up(
    genk, genk_endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_MINUTES = [1, 5, 30, 120, 720]
    settings.WEBHOOK_MAX_ATTEMPTS = 6
    receiver.answers.extend(Answer(status=503, body=b"busy") for _ in range(6))
    with time_machine.travel(START, tick=False) as clock:
        delivery = delivery_for(event_make(genk))
        waits = []
        for _attempt in range(5):
            assert webhooks_retry() == {"failed": 1}
            delivery.refresh_from_db()
            waits.append(delivery.next_attempt_at - timezone.now())
            assert webhooks_retry() == {}  # not due yet: nothing is sent
            clock.move_to(delivery.next_attempt_at)
        assert webhooks_retry() == {"gave_up": 1}

    assert waits == [dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (D.GAVE_UP, 6, None)
    assert (delivery.response_status, delivery.response_excerpt) == (503, "busy")
    assert len(receiver.requests) == 6 and all(request.verified for request in receiver.requests)


def test_a_failed_delivery_succeeds_on_its_retry(genk, genk_endpoint, receiver):
    receiver.answers.append(Answer(status=500, body=b"oops"))
    with time_machine.travel(START, tick=False) as clock:
        delivery = delivery_for(event_make(genk))
        assert webhook_deliver(delivery.pk) == D.FAILED
        clock.shift(dt.timedelta(minutes=1))
        assert webhooks_retry() == {"succeeded": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.last_error) == (
        D.SUCCEEDED, 2, 200, "",
    )  # fmt: skip


def test_only_one_of_two_workers_claims_a_delivery(genk, genk_endpoint):
    delivery = delivery_for(event_make(genk))
    assert delivery_claim(delivery.pk) is not None
    assert delivery_claim(delivery.pk) is None
    assert webhook_deliver(delivery.pk) == "skipped"


def test_a_delivery_whose_worker_died_is_sent_again_after_the_claim_timeout(
    genk, genk_endpoint, receiver, settings
):
    settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS = 300
    with time_machine.travel(START, tick=False) as clock:
        delivery = delivery_for(event_make(genk))
        dead_claim = delivery_claim(delivery.pk)  # a worker claimed it and died before recording
        clock.shift(dt.timedelta(seconds=299))
        assert webhooks_retry() == {}
        clock.shift(dt.timedelta(seconds=2))
        assert webhooks_retry() == {"reclaimed": 1, "succeeded": 1}

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.SUCCEEDED, 2)
    assert delivery.claimed_at != dead_claim
    assert len(receiver.requests) == 1


def test_a_stuck_delivery_on_its_last_attempt_is_given_up(genk, genk_endpoint, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    with time_machine.travel(START, tick=False) as clock:
        delivery = delivery_for(event_make(genk))
        delivery_claim(delivery.pk)
        clock.shift(dt.timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS + 1))
        assert webhooks_retry() == {"reclaimed": 1}
    delivery.refresh_from_db()
    assert delivery.status == D.GAVE_UP
    assert "interrupted" in delivery.last_error
    assert receiver.requests == []


def test_a_redirect_is_recorded_and_never_followed(genk, receiver, other_receiver):
    endpoint = endpoint_make(genk, receiver.url, receiver=receiver)
    other_receiver.secret = endpoint.secret
    receiver.answers.append(Answer(status=302, body=b"", headers=(("Location", other_receiver.url),)))
    delivery = delivery_for(event_make(genk))

    assert delivery_attempt(delivery.pk) == D.FAILED

    delivery.refresh_from_db()
    assert delivery.response_status == 302
    assert "redirects are not followed" in delivery.last_error
    assert other_receiver.requests == []


def test_an_unreachable_endpoint_is_tried_once_per_round_and_the_others_still_get_theirs(
    genk, hasselt, receiver, other_receiver, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    slow = endpoint_make(genk, receiver.url, receiver=receiver)
    endpoint_make(hasselt, other_receiver.url, receiver=other_receiver)
    receiver.answers.extend(Answer(delay=1.0) for _ in range(3))
    events = [event_make(genk), event_make(hasselt), event_make(genk), event_make(genk)]
    for event in events:
        delivery_for(event)

    counts = webhooks_deliver_events([event.pk for event in events])

    assert counts == {"failed": 3, "succeeded": 1}
    assert len(receiver.requests) == 1  # the first timed out; the other two were not tried
    assert len(other_receiver.requests) == 1
    slow_deliveries = WebhookDelivery.objects.filter(endpoint=slow).order_by("id")
    errors = list(slow_deliveries.values_list("last_error", flat=True))
    assert "timed out" in errors[0]
    assert errors[1:] == ["not tried: the webhook was unreachable in this round"] * 2
    assert set(slow_deliveries.values_list("attempts", flat=True)) == {1}


def test_plain_http_and_local_addresses_are_refused_unless_allowed(genk, receiver, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    endpoint_make(genk, receiver.url, receiver=receiver)
    delivery = delivery_for(event_make(genk))

    assert delivery_attempt(delivery.pk) == D.FAILED

    delivery.refresh_from_db()
    assert delivery.last_error.startswith("refused:")
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.be/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://user:pw@example.be/hook",
        "ftp://example.be/hook",
        "https:///hook",
    ],
)
def test_urls_refused_in_production(url):
    with pytest.raises(UrlRefused):
        url_check(url, allow_local=False)


def test_a_public_https_url_passes_the_check_and_local_http_only_when_allowed():
    url_check("https://ict.genk.be/eloket/hooks?x=1", allow_local=False)
    url_check("http://127.0.0.1:8123/hook", allow_local=True)
    with pytest.raises(UrlRefused):
        url_check("http://127.0.0.1:8123/hook", allow_local=False)


def test_the_retry_job_is_a_schedule_declared_by_migrate(settings):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="eloket.webhooks.retry")
    assert schedule.func == "eloket.webhooks.tasks.webhooks_retry"
    assert (schedule.minutes, schedule.repeats) == (settings.WEBHOOK_RETRY_EVERY_MINUTES, -1)
