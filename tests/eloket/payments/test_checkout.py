"""Paying online: from the dossier page to the hosted page and back, confirmed only by webhooks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from eloket.constants import DossierStatus, PaymentStatus, TimelineEventKind
from eloket.models import Notification, Payment
from eloket.payments import services
from eloket.services import dossier_transition
from tests.eloket.payments.conftest import pay_url, webhooks_deliver
from tests.factories import DossierFactory, OrganisationFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db


def start(client, *dossiers, extra=None):
    data = {"dossier": [d.reference for d in dossiers], **(extra or {})}
    return client.post(pay_url(dossiers[0]), data)


def test_the_dossier_page_offers_to_pay_online(citizen_client, dossier, stripe_standin):
    response = citizen_client.get(reverse("eloket:dossier_detail", args=[dossier.reference]))
    assert pay_url(dossier).encode() in response.content


def test_a_citizen_pays_a_retribution_and_only_the_webhook_marks_it_paid(
    citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks
):
    response = start(citizen_client, dossier)
    assert response.status_code == 303
    payment = Payment.objects.get()
    assert response["Location"] == payment.checkout_url
    assert payment.checkout_url.startswith(stripe_standin.url)
    assert payment.status == PaymentStatus.OPEN
    assert payment.amount_cents == dossier.amount_due_cents == 2000

    # The citizen pays on the hosted page and comes back before the webhook arrives.
    return_url = stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    page = citizen_client.get(return_url)
    assert "We wachten op de bevestiging" in page.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED
    assert Payment.objects.get().status == PaymentStatus.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_deliver(citizen_client, stripe_standin) == ["applied"]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PAID
    assert dossier.amount_due_cents == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.method == "bancontact"
    assert dossier.timeline.filter(kind=TimelineEventKind.PAID).count() == 1
    assert "Betaling geslaagd" in citizen_client.get(return_url).content.decode()
    receipts = [m for m in mail.outbox if payment.reference in m.subject]
    assert len(receipts) == 1
    assert Notification.objects.filter(key=f"payment_receipt:{payment.reference}").count() == 1


def test_a_double_click_opens_one_session(citizen_client, dossier, stripe_standin):
    first = start(citizen_client, dossier)
    second = start(citizen_client, dossier)
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1
    assert len(stripe_standin.standin.sessions) == 1


def test_the_amount_is_computed_on_the_server(citizen_client, dossier, stripe_standin):
    start(citizen_client, dossier, extra={"amount": "1", "amount_cents": "1"})
    payment = Payment.objects.get()
    session = stripe_standin.standin.sessions[payment.provider_session_id]
    assert payment.amount_cents == session["amount_total"] == dossier.amount_due_cents


def test_several_open_dossiers_of_one_organisation_are_paid_together(
    citizen_client, citizen, organisation, stripe_standin, django_capture_on_commit_callbacks
):
    party = citizen[1]
    first = DossierFactory(party=party, organisation=organisation, notified=True)
    second = DossierFactory(party=party, organisation=organisation, reminded=True)
    page = citizen_client.get(pay_url(first))
    assert second.reference in page.content.decode()
    start(citizen_client, first, second)
    payment = Payment.objects.get()
    assert payment.amount_cents == first.amount_due_cents + second.amount_due_cents
    stripe_standin.standin.checkout_action(payment.provider_session_id, "card")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver(citizen_client, stripe_standin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DossierStatus.PAID, DossierStatus.PAID)


def test_dossiers_of_different_organisations_are_not_paid_together(citizen, organisation, stripe_standin):
    party = citizen[1]
    mine = DossierFactory(party=party, organisation=organisation, notified=True)
    other = DossierFactory(party=party, organisation=OrganisationFactory(), notified=True)
    with pytest.raises(services.PaymentRefused):
        services.payment_start(party=party, dossier_ids=[mine.pk, other.pk])
    assert not Payment.objects.exists()


@pytest.mark.parametrize("state", ["contested", "paid"])
def test_a_dossier_on_hold_or_paid_cannot_be_paid(
    citizen_client, citizen, organisation, stripe_standin, state
):
    dossier = DossierFactory(party=citizen[1], organisation=organisation, **{state: True})
    response = citizen_client.post(pay_url(dossier), {"dossier": [dossier.reference]})
    assert response.status_code == 302
    assert not Payment.objects.exists()
    with pytest.raises(services.PaymentRefused):
        services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])


def test_a_cancelled_dossier_cannot_be_paid(citizen, organisation, stripe_standin):
    dossier = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.CANCELLED)
    with pytest.raises(services.PaymentRefused):
        services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])


def test_nobody_pays_or_sees_another_partys_dossier_or_payment(
    client, dossier, citizen_client, stripe_standin
):
    start(citizen_client, dossier)
    payment = Payment.objects.get()
    stranger = UserFactory()
    person_party(user=stranger, name="Els Stranger")
    client.force_login(stranger)
    assert client.get(pay_url(dossier)).status_code == 404
    assert client.post(pay_url(dossier), {"dossier": [dossier.reference]}).status_code == 404
    for name in ("payments:status", "payments:status_json"):
        assert client.get(reverse(name, args=[payment.reference])).status_code == 404
    assert client.post(reverse("payments:resume", args=[payment.reference])).status_code == 404
    assert Payment.objects.count() == 1


def test_a_stranger_cannot_slip_another_partys_dossier_into_a_payment(citizen, organisation, stripe_standin):
    mine = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    theirs = DossierFactory(party=person_party(name="Ander"), organisation=organisation, notified=True)
    with pytest.raises(services.PaymentRefused):
        services.payment_start(party=citizen[1], dossier_ids=[mine.pk, theirs.pk])


def test_an_abandoned_payment_is_resumed_in_the_same_session(citizen_client, dossier, stripe_standin):
    start(citizen_client, dossier)
    payment = Payment.objects.get()
    cancel_url = stripe_standin.standin.checkout_action(payment.provider_session_id, "cancel")
    page = citizen_client.get(cancel_url)
    assert "nog niet afgerond" in page.content.decode()
    resumed = citizen_client.post(reverse("payments:resume", args=[payment.reference]))
    assert resumed.status_code == 303
    assert resumed["Location"] == payment.checkout_url
    assert Payment.objects.count() == 1


def test_an_expired_payment_is_restarted_as_a_new_one(
    citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks
):
    start(citizen_client, dossier)
    payment = Payment.objects.get()
    services.payment_expire(payment_id=payment.pk)
    webhooks_deliver(citizen_client, stripe_standin)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    assert (
        "verlopen"
        in citizen_client.get(reverse("payments:status", args=[payment.reference])).content.decode()
    )
    restarted = citizen_client.post(reverse("payments:resume", args=[payment.reference]))
    new = Payment.objects.exclude(pk=payment.pk).get()
    assert restarted["Location"] == new.checkout_url
    assert new.status == PaymentStatus.OPEN
    assert new.provider_session_id != payment.provider_session_id


def test_when_the_provider_is_down_the_citizen_is_told_and_the_payment_closes_later(
    citizen_client, dossier, stripe_standin, settings
):
    stripe_standin.running.stop()
    response = start(citizen_client, dossier)
    assert response.status_code == 503
    assert "niet bereikbaar" in response.content.decode()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.CREATED
    with time_machine.travel(
        timezone.now() + dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    ):
        services.payments_reconcile()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED


def test_the_overview_counts_what_was_paid_through_the_eloket(
    citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks
):
    start(citizen_client, dossier)
    payment = Payment.objects.get()
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver(citizen_client, stripe_standin)
    overview = citizen_client.get(reverse("eloket:overview")).content.decode()
    assert 'data-testid="total-paid">€ 20,00<' in overview


def test_without_an_online_account_the_dossier_offers_bank_transfer_only(
    citizen_client, citizen, stripe_standin
):
    dossier = DossierFactory(party=citizen[1], organisation=OrganisationFactory(), notified=True)
    page = citizen_client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
    assert pay_url(dossier) not in page
    assert 'data-testid="transfer-ogm"' in page
    assert citizen_client.get(pay_url(dossier)).status_code == 302
