"""The webhook endpoint: signed, stored once, and one paid state whatever the order or repetition."""

from __future__ import annotations

import json
import random

import pytest
from django.core import mail

from eloket.constants import DossierStatus, PaymentStatus, TimelineEventKind
from eloket.models import Payment, ProviderEvent
from eloket.payments.standin import sign
from tests.eloket.payments.conftest import post_webhook, webhooks_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_payment(citizen, dossier, stripe_standin):
    from eloket.payments.services import payment_start

    return payment_start(party=citizen[1], dossier_ids=[dossier.pk])


def test_a_bad_signature_is_rejected_and_nothing_is_stored(client, open_payment, stripe_standin, settings):
    stripe_standin.standin.checkout_action(open_payment.provider_session_id, "bancontact")
    [(body, headers)] = stripe_standin.take()
    forged = sign(body, "whsec_someone_else")
    assert post_webhook(client, body, forged).status_code == 400
    assert post_webhook(client, body, "").status_code == 400
    tampered = body.replace(b'"paid"', b'"unpaid"', 1)
    assert post_webhook(client, tampered, headers["Stripe-Signature"]).status_code == 400
    assert not ProviderEvent.objects.exists()
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.OPEN


def test_duplicates_and_replays_give_one_paid_state_and_one_receipt(
    client, open_payment, dossier, stripe_standin, django_capture_on_commit_callbacks
):
    stripe_standin.standin.checkout_action(open_payment.provider_session_id, "bancontact")
    [(body, headers)] = stripe_standin.take()
    with django_capture_on_commit_callbacks(execute=True):
        results = [post_webhook(client, body, headers["Stripe-Signature"]).json()["result"] for _ in range(3)]
    assert results == ["applied", "duplicate", "duplicate"]
    assert ProviderEvent.objects.count() == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PAID
    assert dossier.amount_paid_cents == open_payment.amount_cents
    assert dossier.timeline.filter(kind=TimelineEventKind.PAID).count() == 1
    assert len([m for m in mail.outbox if open_payment.reference in m.subject]) == 1


def test_a_delayed_bancontact_success_goes_through_processing(client, open_payment, dossier, stripe_standin):
    stripe_standin.standin.async_delay_s = 60  # the bank's answer comes later
    stripe_standin.standin.checkout_action(open_payment.provider_session_id, "later_success")
    assert webhooks_deliver(client, stripe_standin) == ["applied"]
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.PROCESSING
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED
    stripe_standin.standin._async_outcome(open_payment.provider_session_id, True)
    assert webhooks_deliver(client, stripe_standin) == ["applied"]
    open_payment.refresh_from_db()
    dossier.refresh_from_db()
    assert (open_payment.status, dossier.status) == (PaymentStatus.SUCCEEDED, DossierStatus.PAID)


def test_a_delayed_failure_is_recorded_and_mailed(client, open_payment, dossier, stripe_standin):
    stripe_standin.standin.checkout_action(open_payment.provider_session_id, "later_failure")
    assert webhooks_deliver(client, stripe_standin) == ["applied", "applied"]
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.FAILED
    assert dossier.timeline.filter(kind=TimelineEventKind.PAYMENT_FAILED).count() == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED


def _events_for(stripe_standin, payment, action):
    stripe_standin.standin.checkout_action(payment.provider_session_id, action)
    return stripe_standin.take()


def test_out_of_order_success_before_completed_ends_paid(client, open_payment, dossier, stripe_standin):
    events = _events_for(stripe_standin, open_payment, "later_success")
    assert [json.loads(b)["type"] for b, _h in events] == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    for body, headers in reversed(events):
        assert post_webhook(client, body, headers["Stripe-Signature"]).status_code == 200
    open_payment.refresh_from_db()
    dossier.refresh_from_db()
    assert open_payment.status == PaymentStatus.SUCCEEDED
    assert dossier.status == DossierStatus.PAID


def test_a_failure_may_become_a_success_but_a_success_is_never_undone(
    client, open_payment, dossier, stripe_standin
):
    session_id = open_payment.provider_session_id
    failed = _events_for(stripe_standin, open_payment, "later_failure")
    for body, headers in failed:
        post_webhook(client, body, headers["Stripe-Signature"])
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.FAILED
    stripe_standin.standin._async_outcome(session_id, True)  # the bank confirms after all
    for body, headers in stripe_standin.take():
        post_webhook(client, body, headers["Stripe-Signature"])
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.SUCCEEDED
    # A late replay of the failure (a new event id for the same news) changes nothing.
    late = json.loads(failed[-1][0])
    late["id"] = "evt_late_failure"
    body = json.dumps(late).encode()
    assert post_webhook(client, body, sign(body, "whsec_standin")).json()["result"] == "applied"
    open_payment.refresh_from_db()
    dossier.refresh_from_db()
    assert open_payment.status == PaymentStatus.SUCCEEDED
    assert dossier.status == DossierStatus.PAID


def test_shuffled_duplicated_events_of_many_payments_end_right(client, citizen, organisation, stripe_standin):
    from eloket.payments.services import payment_start
    from tests.factories import DossierFactory

    outcomes = {"bancontact": PaymentStatus.SUCCEEDED, "later_success": PaymentStatus.SUCCEEDED}
    outcomes |= {"later_failure": PaymentStatus.FAILED}
    payments = {}
    events = []
    for index, action in enumerate(list(outcomes) * 3):
        dossier = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
        payment = payment_start(party=citizen[1], dossier_ids=[dossier.pk])
        payments[payment.pk] = outcomes[action]
        events += _events_for(stripe_standin, payment, action) * (1 + index % 2)
    random.Random(4).shuffle(events)
    for body, headers in events:
        assert post_webhook(client, body, headers["Stripe-Signature"]).status_code == 200
    for payment in Payment.objects.filter(pk__in=payments):
        assert payment.status == payments[payment.pk], payment.reference


def test_an_event_for_another_account_is_not_applied(client, open_payment, stripe_standin):
    [(body, _headers)] = _events_for(stripe_standin, open_payment, "bancontact")
    event = json.loads(body)
    event["account"] = "acct_someone_else"
    body = json.dumps(event).encode()
    assert post_webhook(client, body, sign(body, "whsec_standin")).json()["result"] == "account_mismatch"
    open_payment.refresh_from_db()
    assert open_payment.status == PaymentStatus.OPEN


def test_an_event_for_an_unknown_session_is_stored_and_acknowledged(client, stripe_standin):
    event = {
        "id": "evt_unknown",
        "type": "checkout.session.completed",
        "account": "acct_x",
        "data": {"object": {"id": "cs_unknown", "object": "checkout.session", "payment_status": "paid"}},
    }
    body = json.dumps(event).encode()
    response = post_webhook(client, body, sign(body, "whsec_standin"))
    assert response.json()["result"] == "unknown_payment"
    assert ProviderEvent.objects.get().event_id == "evt_unknown"
