"""Stripe (the local stand-in) answering 500s or not answering at all: a payment being started gets
the citizen a "try again later" page and no half-made payment; a paid payment whose webhook was lost
stays pending while the reconciliation cannot reach Stripe, and is settled by the first run after
Stripe answers again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from eloket.constants import DossierStatus, PaymentStatus
from eloket.models import Payment
from eloket.payments import services
from tests.eloket.payments.conftest import pay_url

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


GUNICORN_TIMEOUT_SECONDS = 30  # gunicorn's default, kept by the Dockerfile and docs/deployment.md


def test_a_stripe_that_does_not_answer_cannot_hold_a_request_past_the_gunicorn_worker_timeout(settings):
    """Each try waits the timeout; the SDK's back-off between tries is under a second each."""
    tries = settings.STRIPE_NETWORK_RETRIES + 1
    assert tries * settings.STRIPE_TIMEOUT_SECONDS + tries < GUNICORN_TIMEOUT_SECONDS


@pytest.fixture
def impatient(settings):
    """A short client timeout, so that "no answer" costs the test a second, not ten."""
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_NETWORK_RETRIES = 1


@pytest.mark.parametrize("fault", ["error", "hang"])
def test_starting_a_payment_while_stripe_fails_answers_try_again_and_the_retry_makes_one_session(
    fault, impatient, citizen_client, dossier, stripe_standin
):
    stripe_standin.standin.api_fault = fault
    stripe_standin.standin.hang_s = 3

    response = citizen_client.post(pay_url(dossier), {"dossier": [dossier.reference]})

    assert response.status_code == 503
    assert "Probeer het over enkele minuten opnieuw" in response.content.decode()
    payment = Payment.objects.get()
    assert (payment.status, payment.provider_session_id) == (PaymentStatus.CREATED, None)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED

    stripe_standin.standin.api_fault = ""
    again = citizen_client.post(pay_url(dossier), {"dossier": [dossier.reference]})

    assert again.status_code == 303
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.OPEN
    assert Payment.objects.count() == 1
    assert len(stripe_standin.standin.sessions) == 1  # the same idempotency key: one session


def test_a_paid_payment_stays_pending_while_stripe_fails_and_is_settled_when_it_answers(
    impatient, citizen, dossier, stripe_standin, settings
):
    payment = services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    stripe_standin.take()  # the webhooks are lost
    later = timezone.now() + dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    stripe_standin.standin.hang_s = 3

    for fault in ("error", "hang"):
        stripe_standin.standin.api_fault = fault
        with time_machine.travel(later):
            counts = services.payments_reconcile()
        assert counts == {"checked": 1, "changed": 0, "errors": 1, "refunds": 0, "booked": 0}
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.OPEN

    stripe_standin.standin.api_fault = ""
    with time_machine.travel(later + dt.timedelta(minutes=5)):
        counts = services.payments_reconcile()
    assert counts == {"checked": 1, "changed": 1, "errors": 0, "refunds": 0, "booked": 0}
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert dossier.status == DossierStatus.PAID
