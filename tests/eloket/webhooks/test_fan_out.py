"""The outbox consumer: one delivery per event and subscribed, active endpoint of its organisation."""

from __future__ import annotations

import pytest

from eloket import outbox
from eloket.models import EventType, OutboxEvent, WebhookDelivery
from eloket.webhooks import webhooks_fan_out
from tests.eloket.webhooks.conftest import endpoint_make, event_make

pytestmark = pytest.mark.django_db


def dispatched_batch():
    """The events as ``outbox_dispatch`` hands them to its consumers."""
    return list(OutboxEvent.objects.select_related("dossier", "party", "organisation").order_by("id"))


def test_only_active_subscribed_endpoints_of_the_events_organisation_get_a_delivery(
    genk, hasselt, genk_dossier
):
    subscribed = endpoint_make(genk, "https://genk.example/paid", events=[EventType.DOSSIER_PAID])
    endpoint_make(genk, "https://genk.example/decisions", events=[EventType.DECISION])
    endpoint_make(genk, "https://genk.example/off", events=[EventType.DOSSIER_PAID], active=False)
    endpoint_make(hasselt, "https://hasselt.example/all", events=list(EventType.values))
    event = event_make(genk, type=EventType.DOSSIER_PAID, dossier=genk_dossier)

    assert webhooks_fan_out(dispatched_batch()) == 1

    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event, delivery.status) == (subscribed, event, "pending")
    assert delivery.next_attempt_at is not None  # due now: the retry job would find it too


@pytest.mark.parametrize("event_type", EventType.values)
def test_every_event_type_reaches_an_endpoint_subscribed_to_it(genk, event_type):
    endpoint = endpoint_make(genk, "https://genk.example/hook", events=[event_type])
    event_make(genk, type=event_type)
    event_make(genk, type="other.type")

    webhooks_fan_out(dispatched_batch())

    assert list(WebhookDelivery.objects.values_list("endpoint", "event__type")) == [(endpoint.pk, event_type)]


def test_an_event_fanned_out_twice_keeps_one_delivery_per_endpoint(genk):
    first = endpoint_make(genk, "https://genk.example/a")
    second = endpoint_make(genk, "https://genk.example/b")
    event_make(genk)
    events = dispatched_batch()

    webhooks_fan_out(events)
    webhooks_fan_out(events)

    assert sorted(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [first.pk, second.pk]


def test_a_batch_queues_one_delivery_task_after_commit_however_many_deliveries(
    genk, hasselt, django_capture_on_commit_callbacks
):
    endpoint_make(genk, "https://genk.example/a")
    endpoint_make(genk, "https://genk.example/b")
    endpoint_make(hasselt, "https://hasselt.example/a")
    for _ in range(3):
        event_make(genk)
        event_make(hasselt)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = webhooks_fan_out(dispatched_batch())

    assert created == 9
    assert len(callbacks) == 1


def test_no_endpoint_no_delivery_and_no_task(genk, django_capture_on_commit_callbacks):
    event_make(genk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert webhooks_fan_out(dispatched_batch()) == 0
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()


def test_the_outbox_dispatch_delivers_through_the_consumer_to_a_real_receiver(
    genk, genk_dossier, genk_endpoint, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    """From the outbox to the receiver: dispatch fans out, the batch's task sends after commit. (Only
    this consumer: the e-mail consumer has its own tests.)"""
    monkeypatch.setattr(outbox, "OUTBOX_CONSUMERS", ("eloket.webhooks.webhooks_fan_out",))
    event = event_make(genk, type=EventType.DOSSIER_PAID, dossier=genk_dossier)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_dispatch(budget_seconds=5) == 1

    event.refresh_from_db()
    assert event.dispatched_at is not None
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert [request.json()["id"] for request in receiver.requests] == [str(event.event_id)]
    assert outbox.outbox_dispatch(budget_seconds=5) == 0  # nothing is dispatched twice
