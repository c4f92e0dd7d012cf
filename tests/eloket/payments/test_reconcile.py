"""Reconciliation: payments whose webhooks never came are settled by asking the provider."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_q.models import Schedule

from eloket.constants import DossierStatus, MovementStatus, PaymentChannel, PaymentStatus
from eloket.models import BankMovement
from eloket.payments import services
from eloket.payments.coda_build import Credit, coda_statement
from eloket.payments.coda_import import coda_import
from eloket.payments.schedules import RECONCILE
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_the_reconciliation_schedule_is_declared_by_migrate(settings):
    schedule = Schedule.objects.get(name=RECONCILE)
    assert schedule.func == "eloket.payments.tasks.payments_reconcile"
    assert schedule.minutes == settings.PAYMENT_RECONCILE_EVERY_MINUTES
    assert schedule.repeats == -1


def test_a_payment_whose_webhook_never_came_is_settled_after_the_configured_time(
    citizen, dossier, stripe_standin, settings
):
    payment = services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    stripe_standin.take()  # the webhooks are lost
    assert services.payments_reconcile()["checked"] == 0  # too recent to ask about
    later = timezone.now() + dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    with time_machine.travel(later):
        counts = services.payments_reconcile()
    assert counts == {"checked": 1, "changed": 1, "errors": 0, "refunds": 0, "booked": 0}
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert dossier.status == DossierStatus.PAID


def test_a_payment_left_open_past_its_expiry_is_closed(citizen, dossier, stripe_standin, settings):
    payment = services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])
    with time_machine.travel(payment.expires_at + dt.timedelta(minutes=1)):
        services.payments_reconcile()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED


def test_a_refund_whose_webhooks_were_lost_is_completed_by_the_reconciliation(
    citizen, dossier, stripe_standin, client, settings, django_capture_on_commit_callbacks
):
    from eloket import services as eloket_services
    from eloket.constants import Decision, RefundStatus
    from eloket.models import Refund
    from tests.eloket.payments.conftest import decide, webhooks_deliver

    payment = services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver(client, stripe_standin)
    stripe_standin.standin.refund_delay_s = 3600  # the refund stays pending at the provider for now
    eloket_services.dossier_put_on_hold(dossier_id=dossier.pk)
    decide(
        django_capture_on_commit_callbacks,
        dossier_id=dossier.pk,
        decision=Decision.UPHELD,
        motivation="Gegrond.",
    )
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.PENDING
    stripe_standin.standin._refund_settle(refund.provider_refund_id)  # the provider finishes it…
    stripe_standin.take()  # …but its webhooks are lost
    with time_machine.travel(
        timezone.now() + dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    ):
        counts = services.payments_reconcile()
    assert counts["refunds"] == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED


def test_a_delay_of_zero_means_now_not_the_default(citizen, dossier, stripe_standin):
    """``older_than=timedelta(0)`` (an operator settling by hand) asks about every unfinished payment
    at once; it is not taken for "no value" and replaced by the configured delay."""
    payment = services.payment_start(party=citizen[1], dossier_ids=[dossier.pk])
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    stripe_standin.take()  # the webhooks are lost
    assert services.payments_reconcile(older_than=dt.timedelta(0))["changed"] == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_bank_movements_whose_booking_task_was_lost_are_booked_by_the_reconciliation(
    citizen, organisation, settings, django_capture_on_commit_callbacks
):
    """The import commits its matched movements; the task that books them is lost (the broker was
    down after the commit). The reconciliation books them once they are older than its delay."""
    fine = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    credits = [Credit(fine.amount_due_cents, ogm=fine.ogm)]
    content = coda_statement(iban=organisation.iban, credits=credits, day=dt.date(2026, 11, 20))
    with django_capture_on_commit_callbacks(execute=False) as lost:
        coda_import(organisation=organisation, content=content, file_name="s.cod")
    assert len(lost) == 1  # the booking task, never queued
    movement = BankMovement.objects.get()
    assert (movement.status, movement.payment_id) == (MovementStatus.MATCHED, None)
    assert services.payments_reconcile()["booked"] == 0  # too recent: its own task may still come

    later = timezone.now() + dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert services.payments_reconcile()["booked"] == 1
        assert services.payments_reconcile()["booked"] == 0  # booked once
    fine.refresh_from_db()
    movement.refresh_from_db()
    assert fine.status == DossierStatus.PAID
    assert movement.payment.channel == PaymentChannel.BANK_TRANSFER
