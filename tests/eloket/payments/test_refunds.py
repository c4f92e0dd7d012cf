"""Refunds after a decision: through the channel that took the money, tracked to completion, shown."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from eloket import services as eloket_services
from eloket.constants import Decision, DossierStatus, PaymentStatus, RefundStatus, TimelineEventKind
from eloket.models import Refund
from eloket.outbox import outbox_dispatch
from eloket.payments import services
from eloket.tasks import refund_due
from tests.eloket.payments.conftest import decide, webhooks_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_online(citizen, dossier, stripe_standin, client, django_capture_on_commit_callbacks):
    payment = services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver(client, stripe_standin)
    dossier.refresh_from_db()
    payment.refresh_from_db()
    assert dossier.status == DossierStatus.PAID
    return payment


def test_an_upheld_contest_on_a_paid_dossier_is_refunded_through_stripe_and_shown(
    citizen_client, dossier, paid_online, stripe_standin, django_capture_on_commit_callbacks
):
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    result = decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.UPHELD,
        motivation="Geldige bewonerskaart.",
    )
    assert result.refund_due_cents == 2000
    refund = Refund.objects.get()
    assert refund.payment == paid_online
    assert refund.provider_refund_id.startswith("re_")
    assert (
        stripe_standin.standin.refunds[refund.provider_refund_id]["_account"] == paid_online.provider_account
    )

    with django_capture_on_commit_callbacks(execute=True):
        results = webhooks_deliver(citizen_client, stripe_standin)
    assert "applied" in results
    refund.refresh_from_db()
    paid_online.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert paid_online.refunded_cents == 2000
    assert paid_online.status == PaymentStatus.REFUNDED
    assert dossier.timeline.filter(kind=TimelineEventKind.REFUNDED).count() == 1
    page = citizen_client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
    assert "Terugbetaling van € 20,00: Uitgevoerd" in page
    assert len([m for m in mail.outbox if "Terugbetaling" in m.subject]) == 1


def test_refund_due_twice_for_the_same_decision_refunds_once(
    dossier, paid_online, stripe_standin, django_capture_on_commit_callbacks
):
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.UPHELD,
        motivation="Gegrond.",
    )
    refund_due(dossier.pk, 2000)  # a retried task
    assert Refund.objects.count() == 1
    assert len(stripe_standin.standin.refunds) == 1


def test_a_decision_made_while_the_broker_was_down_is_refunded_by_the_next_outbox_dispatch(
    dossier, paid_online, stripe_standin, django_capture_on_commit_callbacks
):
    """Nothing queued after the decision's commit (the broker was unreachable): the refund is made
    from the decision's outbox event when the dispatch schedule runs, once however often it runs."""
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    with django_capture_on_commit_callbacks(execute=False):
        eloket_services.dossier_decide(dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="Gegrond.")
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch()  # the schedule's run
    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch()
    refund = Refund.objects.get()
    assert refund.amount_cents == 2000 and refund.provider_refund_id.startswith("re_")
    assert len(stripe_standin.standin.refunds) == 1


def test_a_partly_upheld_contest_refunds_the_difference(
    dossier, paid_online, stripe_standin, django_capture_on_commit_callbacks
):
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    result = decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.PARTLY_UPHELD,
        motivation="Half.",
        amount_cents=1500,
    )
    assert result.refund_due_cents == 500
    refund = Refund.objects.get()
    assert refund.amount_cents == 500
    assert stripe_standin.standin.refunds[refund.provider_refund_id]["amount"] == 500


def test_money_paid_outside_the_eloket_becomes_a_refund_to_do(citizen, organisation):
    from tests.factories import DossierFactory

    dossier = DossierFactory(party=citizen[1], organisation=organisation, paid=True)
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    eloket_services.dossier_decide(dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="Gegrond.")
    refund_due(dossier.pk, dossier.amount_paid_cents)
    refund = Refund.objects.get()
    assert (refund.status, refund.payment) == (RefundStatus.TO_DO, None)


def test_a_bank_transfer_is_refunded_by_a_clerk_to_the_account_it_came_from(
    client, citizen, organisation, django_capture_on_commit_callbacks
):
    import datetime as dt

    from eloket.payments.coda_build import Credit, coda_statement
    from eloket.payments.coda_import import coda_import
    from tests.eloket.payments.test_admin import clerk_of
    from tests.factories import DossierFactory

    dossier = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    credit = Credit(dossier.amount_due_cents, ogm=dossier.ogm, counterparty_iban="BE71096123456769")
    content = coda_statement(iban=organisation.iban, credits=[credit], day=dt.date(2026, 11, 20))
    with django_capture_on_commit_callbacks(execute=True):
        coda_import(organisation=organisation, content=content, file_name="s.cod")
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.UPHELD,
        motivation="Gegrond.",
    )
    refund = Refund.objects.get()
    assert (refund.status, refund.counterparty_iban) == (RefundStatus.TO_DO, "BE71096123456769")
    client.force_login(clerk_of(organisation))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eloket_payments_refund_done", args=[refund.pk]), {"note": "overgeschreven"})
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert dossier.timeline.filter(kind=TimelineEventKind.REFUNDED).count() == 1
    assert len([m for m in mail.outbox if "Terugbetaling" in m.subject]) == 1


def test_a_refund_the_provider_refuses_is_marked_failed_for_a_clerk(
    dossier, paid_online, stripe_standin, django_capture_on_commit_callbacks
):
    stripe_standin.standin.intents.clear()  # the provider no longer knows the payment
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.UPHELD,
        motivation="Gegrond.",
    )
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED
    assert "Geweigerd" in refund.note
    assert not dossier.timeline.filter(kind=TimelineEventKind.REFUNDED).exists()
