"""Payments and refunds write their outbox event in the same transaction: one per dossier paid in
full (online or by bank transfer), one per decision, one per refund carried out."""

from __future__ import annotations

import datetime as dt

import pytest

from eloket import services as eloket_services
from eloket.constants import Decision, DossierKind, DossierStatus, PaymentChannel, RefundStatus
from eloket.models import EventType, OutboxEvent, Refund
from eloket.payments import services
from eloket.payments.coda_build import Credit, coda_statement
from eloket.payments.coda_import import coda_import
from tests.eloket.payments import conftest as payment_fixtures
from tests.eloket.payments.conftest import decide, webhooks_deliver
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db

# The payment tests' organisation (with a Stripe account), citizen, dossier and Stripe stand-in.
organisation = payment_fixtures.organisation
citizen = payment_fixtures.citizen
dossier = payment_fixtures.dossier
stripe_standin = payment_fixtures.stripe_standin


def events_of(event_type: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(type=event_type).order_by("id"))


def pay_online(client, party, payable, standin, capture):
    payment = services.payment_start(party=party, dossier_ids=[payable.pk])
    standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    with capture(execute=True):
        webhooks_deliver(client, standin)
    payable.refresh_from_db()
    assert payable.status == DossierStatus.PAID
    return payment


def test_a_dossier_paid_online_gives_one_paid_event(
    client, citizen, dossier, stripe_standin, django_capture_on_commit_callbacks
):
    payment = pay_online(client, citizen[1], dossier, stripe_standin, django_capture_on_commit_callbacks)

    (event,) = events_of(EventType.DOSSIER_PAID)
    assert (event.organisation_id, event.dossier_id, event.party_id) == (
        dossier.organisation_id, dossier.pk, citizen[1].pk,
    )  # fmt: skip
    assert event.data == {
        "payment": payment.reference,
        "payment_channel": PaymentChannel.STRIPE,
        "amount_cents": dossier.amount_paid_cents,
    }


def test_a_dossier_paid_by_bank_transfer_gives_one_paid_event_and_a_partial_payment_none(
    citizen, organisation, django_capture_on_commit_callbacks
):
    fine = DossierFactory(party=citizen[1], organisation=organisation, kind=DossierKind.GAS4, notified=True)
    partly = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    content = coda_statement(
        iban=organisation.iban,
        credits=[Credit(fine.amount_due_cents, ogm=fine.ogm), Credit(500, ogm=partly.ogm)],
        day=dt.date(2026, 11, 20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        coda_import(organisation=organisation, content=content, file_name="s.cod")

    (event,) = events_of(EventType.DOSSIER_PAID)
    assert event.dossier_id == fine.pk
    assert event.data["payment_channel"] == PaymentChannel.BANK_TRANSFER
    assert event.data["amount_cents"] == fine.amount_original_cents


def test_an_upheld_contest_gives_one_decision_event_and_its_refund_one_refund_event(
    client, citizen, dossier, stripe_standin, django_capture_on_commit_callbacks
):
    payment = pay_online(client, citizen[1], dossier, stripe_standin, django_capture_on_commit_callbacks)
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.UPHELD,
        motivation="Geldige bewonerskaart.",
    )
    (decision,) = events_of(EventType.DECISION)
    assert decision.dossier_id == dossier.pk
    assert decision.data == {"decision": Decision.UPHELD, "refund_due_cents": 2000}

    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver(client, stripe_standin)  # the provider's news of the refund, after our own ask

    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    (refund,) = events_of(EventType.REFUND)
    assert refund.dossier_id == dossier.pk
    assert refund.data == {
        "refund": Refund.objects.get().pk,
        "amount_cents": 2000,
        "payment": payment.reference,
        "payment_channel": PaymentChannel.STRIPE,
    }


def test_a_refund_a_clerk_transfers_by_hand_gives_one_refund_event_when_it_is_done(
    citizen, organisation, django_capture_on_commit_callbacks
):
    fine = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    day = dt.date(2026, 11, 20)
    credits = [Credit(fine.amount_due_cents, ogm=fine.ogm)]
    content = coda_statement(iban=organisation.iban, credits=credits, day=day)
    with django_capture_on_commit_callbacks(execute=True):
        coda_import(organisation=organisation, content=content, file_name="s.cod")
    eloket_services.dossier_put_on_hold(dossier_id=fine.pk)
    decide(
        django_capture_on_commit_callbacks,
        dossier_id=fine.pk,
        decision=Decision.UPHELD,
        motivation="Gegrond.",
    )
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.TO_DO
    assert events_of(EventType.REFUND) == []

    services.refund_mark_done(refund_id=refund.pk, user=UserFactory(is_staff=True))

    (event,) = events_of(EventType.REFUND)
    assert event.data["payment_channel"] == PaymentChannel.BANK_TRANSFER
    assert event.data["amount_cents"] == refund.amount_cents
    assert len(events_of(EventType.DECISION)) == 1
