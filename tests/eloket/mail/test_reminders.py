"""Deadline reminders: ``reminder_days_before`` days before pay_by or contest_by, never on hold, never
for a closed dossier, once per deadline; time is frozen (time-machine)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail

from eloket import services
from eloket.constants import DossierKind, DossierStatus, MailFrequency
from eloket.mail import tasks
from eloket.mail.reminders import mail_reminders_send
from eloket.models import Notification, Organisation
from tests.eloket.mail.conftest import party_with_address
from tests.factories import RegulationFactory

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS)  # the dossier is notified: pay within 30 days
DEADLINE = dt.date(2026, 4, 1)


def on(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS)


def days_before(days: int) -> dt.datetime:
    return on(DEADLINE - dt.timedelta(days=days))


@pytest.fixture
def notified(citizen, make_dossier):
    """A retribution notified at START: € 20 to pay, or contest, by 1 April."""
    with time_machine.travel(START, tick=False):
        dossier = make_dossier(citizen)
    assert (dossier.pay_by, dossier.contest_by) == (DEADLINE, DEADLINE)
    return dossier


def run(at: dt.datetime, capture) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return mail_reminders_send()


def test_a_reminder_goes_out_seven_days_before_the_deadline_and_only_once(
    notified, django_capture_on_commit_callbacks
):
    assert run(days_before(8), django_capture_on_commit_callbacks) == 0
    assert run(days_before(7), django_capture_on_commit_callbacks) == 1
    assert run(days_before(7) + dt.timedelta(hours=3), django_capture_on_commit_callbacks) == 0
    assert run(days_before(2), django_capture_on_commit_callbacks) == 0

    (message,) = mail.outbox
    assert message.subject == (
        f"Herinnering: de termijn voor Parkeerretributie {notified.reference} loopt af op 1 april 2026"
    )
    assert "Te betalen: € 20,00, vóór 1 april 2026." in message.body
    assert "bezwaar indienen" in message.body  # the contest deadline is the same day: one mail for both
    assert "Vanaf 2 april 2026 wordt het bedrag € 30,00 (kosten van de herinnering)." in message.body
    assert f"/nl/mijn/dossiers/{notified.reference}/" in message.body
    assert Notification.objects.get().key == f"deadline-reminder:{notified.reference}:2026-04-01"


def test_no_reminder_while_the_dossier_is_contested(notified, django_capture_on_commit_callbacks):
    services.dossier_transition(dossier_id=notified.pk, to_status=DossierStatus.CONTESTED)

    assert run(days_before(7), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("closing", [DossierStatus.PAID, DossierStatus.CANCELLED])
def test_no_reminder_for_a_closed_dossier(closing, notified, django_capture_on_commit_callbacks):
    if closing == DossierStatus.PAID:
        services.dossier_register_payment(dossier_id=notified.pk, amount_cents=notified.amount_due_cents)
    else:
        services.dossier_transition(dossier_id=notified.pk, to_status=closing)

    assert run(days_before(7), django_capture_on_commit_callbacks) == 0


def test_no_reminder_for_a_party_that_wants_none(make_dossier, django_capture_on_commit_callbacks):
    party = party_with_address(mail_reminders=False)
    with time_machine.travel(START, tick=False):
        make_dossier(party)

    assert run(days_before(7), django_capture_on_commit_callbacks) == 0


def test_the_organisation_chooses_how_many_days_before_and_zero_means_none(
    notified, django_capture_on_commit_callbacks
):
    Organisation.objects.filter(pk=notified.organisation_id).update(reminder_days_before=3)
    assert run(days_before(4), django_capture_on_commit_callbacks) == 0
    assert run(days_before(3), django_capture_on_commit_callbacks) == 1

    Notification.objects.all().delete()
    Organisation.objects.filter(pk=notified.organisation_id).update(reminder_days_before=0)
    assert run(days_before(1), django_capture_on_commit_callbacks) == 0


def test_a_day_the_job_did_not_run_is_caught_up_but_not_after_the_deadline(
    notified, django_capture_on_commit_callbacks
):
    assert run(on(DEADLINE + dt.timedelta(days=1)), django_capture_on_commit_callbacks) == 0
    assert run(days_before(5), django_capture_on_commit_callbacks) == 1


def test_a_term_shorter_than_the_reminder_period_gets_no_reminder(
    citizen, organisation, make_dossier, django_capture_on_commit_callbacks
):
    short = RegulationFactory(organisation=organisation, pay_term_days=5, contest_term_days=5)
    with time_machine.travel(START, tick=False):
        dossier = make_dossier(citizen, regulation=short)

    for day in range(6):
        assert run(on(dossier.pay_by - dt.timedelta(days=day)), django_capture_on_commit_callbacks) == 0


def test_a_contest_deadline_before_the_payment_deadline_gets_its_own_reminder_first(
    citizen, organisation, make_dossier, django_capture_on_commit_callbacks
):
    regulation = RegulationFactory(organisation=organisation, pay_term_days=30, contest_term_days=20)
    with time_machine.travel(START, tick=False):
        dossier = make_dossier(citizen, regulation=regulation)

    assert run(on(dossier.contest_by - dt.timedelta(days=7)), django_capture_on_commit_callbacks) == 1
    assert run(on(dossier.contest_by - dt.timedelta(days=6)), django_capture_on_commit_callbacks) == 0
    assert run(on(dossier.pay_by - dt.timedelta(days=7)), django_capture_on_commit_callbacks) == 1

    contest, pay = mail.outbox
    assert "Bezwaar" in contest.body or "bezwaar" in contest.body
    assert "Te betalen" not in contest.body
    assert "Te betalen: € 20,00" in pay.body
    assert "bezwaar indienen" not in pay.body  # that term has passed


def test_a_gas_fine_reminds_of_the_defence(citizen, make_dossier, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        fine = make_dossier(citizen, kind=DossierKind.GAS4)

    assert run(on(fine.pay_by - dt.timedelta(days=7)), django_capture_on_commit_callbacks) == 1
    assert "verweer indienen" in mail.outbox[0].body


def test_digest_parties_get_their_reminders_in_the_digest_not_separately(
    make_dossier, django_capture_on_commit_callbacks
):
    party = party_with_address(mail_frequency=MailFrequency.DAILY)
    with time_machine.travel(START, tick=False):
        make_dossier(party)

    assert run(days_before(7), django_capture_on_commit_callbacks) == 0


def test_the_hourly_job_waits_for_the_configured_hour(notified, settings, django_capture_on_commit_callbacks):
    settings.MAIL_DAILY_HOUR = 8
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(on(DEADLINE - dt.timedelta(days=7), hour=6), tick=False):
            early = tasks.mail_daily()
        with time_machine.travel(on(DEADLINE - dt.timedelta(days=7), hour=8), tick=False):
            in_time = tasks.mail_daily()

    assert (early, in_time) == ("waiting", "reminders=1 digests=0")
    assert len(mail.outbox) == 1
