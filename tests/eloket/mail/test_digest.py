"""The daily digest: one mail per party per day, listing what appeared or changed and the deadlines
coming up; each line in exactly one digest."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail

from eloket.constants import MailFrequency
from eloket.mail.digest import mail_digests_send
from eloket.models import DigestLine, EventType, Notification
from tests.eloket.mail.conftest import dispatch, emit, party_with_address

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BRUSSELS)


def send_digests(at: dt.datetime, capture) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return mail_digests_send()


@pytest.fixture
def company():
    return party_with_address(name="Transport NV", email="fleet@transport.be", enterprise=True)


def announce(dossiers, capture, event_type=EventType.DOSSIER_CREATED, **data):
    for dossier in dossiers:
        emit(event_type, dossier, **data)
    dispatch(capture)


def test_a_company_gets_one_digest_a_day_listing_its_new_dossiers_with_links(
    company, make_dossier, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://eloket.example.be"
    with time_machine.travel(MONDAY, tick=False):
        dossiers = [make_dossier(company) for _ in range(3)]
        announce(dossiers, django_capture_on_commit_callbacks)
    assert mail.outbox == []

    assert send_digests(MONDAY + dt.timedelta(hours=2), django_capture_on_commit_callbacks) == 1
    assert send_digests(MONDAY + dt.timedelta(hours=3), django_capture_on_commit_callbacks) == 0

    (message,) = mail.outbox
    assert message.to == ["fleet@transport.be"]
    assert message.subject == "E-loket: 3 berichten over uw dossiers (2 maart 2026)"
    html = message.alternatives[0][0]
    for dossier in dossiers:
        link = f"https://eloket.example.be/nl/mijn/dossiers/{dossier.reference}/"
        assert link in message.body
        assert f'<a href="{link}">{dossier.reference}</a>' in html
    assert (
        "Nieuw dossier: Parkeerretributie van Stad Genk, € 20,00 te betalen vóór 1 april 2026" in message.body
    )
    digest = Notification.objects.get()
    assert digest.key == f"digest:{company.pk}:2026-03-02"
    assert set(DigestLine.objects.values_list("notification_id", flat=True)) == {digest.pk}


def test_lines_that_arrive_after_todays_digest_wait_for_tomorrows(
    company, make_dossier, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        first = make_dossier(company)
        announce([first], django_capture_on_commit_callbacks)
        send_digests(MONDAY, django_capture_on_commit_callbacks)
        second = make_dossier(company)
        announce([second], django_capture_on_commit_callbacks)

    assert send_digests(MONDAY + dt.timedelta(hours=5), django_capture_on_commit_callbacks) == 0
    assert send_digests(MONDAY + dt.timedelta(days=1), django_capture_on_commit_callbacks) == 1

    monday, tuesday = mail.outbox
    assert first.reference in monday.body and second.reference not in monday.body
    assert second.reference in tuesday.body and first.reference not in tuesday.body
    assert DigestLine.objects.filter(notification__isnull=True).count() == 0


def test_changes_and_cancellations_by_permit_are_listed_in_the_partys_language(
    make_dossier, django_capture_on_commit_callbacks
):
    party = party_with_address(language="fr", mail_frequency=MailFrequency.DAILY)
    with time_machine.travel(MONDAY, tick=False):
        reminded, covered = make_dossier(party), make_dossier(party)
        announce([reminded], django_capture_on_commit_callbacks, EventType.DOSSIER_UPDATED, change="reminder")
        announce(
            [covered],
            django_capture_on_commit_callbacks,
            EventType.DOSSIER_CANCELLED_BY_PERMIT,
            permit="BK-1",
        )

    send_digests(MONDAY, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert f"/fr/mijn/dossiers/{reminded.reference}/" in message.body
    assert "(BK-1)" in message.body
    assert "€ 20,00" in message.body
    assert "2 mars 2026" in message.subject


def test_a_digest_lists_an_upcoming_deadline_once_even_without_new_lines(
    company, make_dossier, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        dossier = make_dossier(company)  # pay or contest by 1 April; never announced
    week_before = dt.datetime(2026, 3, 25, 9, 0, tzinfo=BRUSSELS)

    assert send_digests(week_before - dt.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert send_digests(week_before, django_capture_on_commit_callbacks) == 1
    assert send_digests(week_before + dt.timedelta(days=1), django_capture_on_commit_callbacks) == 0

    (message,) = mail.outbox
    assert "Termijnen die binnenkort aflopen:" in message.body
    assert f"{dossier.reference}" in message.body
    pay, contest = "€ 20,00 te betalen vóór 1 april 2026", "bezwaar of verweer mogelijk tot 1 april 2026"
    assert f"Parkeerretributie: {pay}; {contest}" in message.body


def test_no_digest_without_a_verified_address_and_the_lines_wait(
    company, make_dossier, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        announce([make_dossier(company)], django_capture_on_commit_callbacks)
    type(company).objects.filter(pk=company.pk).update(email_verified=False)

    assert send_digests(MONDAY, django_capture_on_commit_callbacks) == 0
    assert DigestLine.objects.filter(notification__isnull=True).count() == 1
