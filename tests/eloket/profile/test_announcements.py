"""Dossiers announced to the citizen's Mijn Burgerprofiel: once per event and person, to the real
stand-in on 127.0.0.1, retried while it is down, given up at the end, never with a national number."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone, translation

from eloket import services
from eloket.constants import DossierKind, TimelineEventKind, labels
from eloket.identifiers import parse_national_number
from eloket.models import EventType, OutboxEvent, ProfileAnnouncement
from eloket.outbox import outbox_dispatch, outbox_emit
from eloket.profile.services import announcement_attempt, announcements_fan_out
from eloket.profile.standin import serve
from eloket.profile.tasks import announcements_retry
from tests.factories import DossierFactory, OrganisationFactory, enterprise_party, national_number

pytestmark = pytest.mark.django_db

A = ProfileAnnouncement.Status
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def profile_standin(settings):
    running = serve()
    settings.PROFILE_ANNOUNCER = "eloket.profile.announcer.StandinAnnouncer"
    settings.PROFILE_API_BASE = running.url
    settings.WEBHOOK_ALLOW_LOCAL = True
    yield running.standin
    running.stop()


@pytest.fixture
def profile_down(settings):
    """An address where nothing listens: a port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.PROFILE_ANNOUNCER = "eloket.profile.announcer.StandinAnnouncer"
    settings.PROFILE_API_BASE = f"http://127.0.0.1:{port}"
    settings.WEBHOOK_ALLOW_LOCAL = True
    settings.PROFILE_RETRY_MINUTES = [1, 5]
    settings.PROFILE_MAX_ATTEMPTS = 3


@pytest.fixture
def organisation():
    return OrganisationFactory(name_nl="Stad Genk", name_fr="Ville de Genk")


@pytest.fixture
def number():
    return national_number()


@pytest.fixture
def person(number):
    party, _created = services.party_get_or_create(
        identifier=parse_national_number(number), display_name="An Peeters", email="an.peeters@example.be"
    )
    return party


def emit(event_type: str, dossier, **data) -> OutboxEvent:
    with transaction.atomic():
        return outbox_emit(
            type=event_type, organisation_id=dossier.organisation_id, dossier=dossier, data=data
        )


def dispatch(capture, *, execute: bool) -> int:
    with capture(execute=execute):
        return outbox_dispatch()


def test_a_notified_dossier_of_a_person_is_announced_once_even_when_dispatched_twice(
    person, organisation, profile_standin, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    event = emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks, execute=False)
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if the batch ran again
    dispatch(django_capture_on_commit_callbacks, execute=False)
    announcements_fan_out(list(OutboxEvent.objects.filter(pk=event.pk).select_related("dossier", "party")))

    (announcement,) = ProfileAnnouncement.objects.all()
    assert (announcement.event_id, announcement.party_id, announcement.dossier_id) == (
        event.pk,
        person.pk,
        dossier.pk,
    )
    assert (announcement.kind, announcement.status) == ("created", A.PENDING)
    assert announcement.title == f"Nieuw dossier {dossier.reference}: Parkeerretributie"


def test_the_title_is_in_the_partys_language(person, organisation, profile_standin):
    person.language = "fr"
    person.save(update_fields=["language"])
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)

    announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party")))

    announcement = ProfileAnnouncement.objects.get()
    with translation.override("fr"):
        kind_fr = labels(DossierKind)[dossier.kind]
    assert announcement.language == "fr"
    assert kind_fr != "Parkeerretributie" and announcement.title.endswith(f": {kind_fr}")
    assert dossier.reference in announcement.title


def test_a_company_dossier_is_not_announced_in_the_citizens_profile(organisation, profile_standin):
    company = enterprise_party()
    dossier = DossierFactory(party=company, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)
    emit(EventType.DOSSIER_UPDATED, dossier, change=TimelineEventKind.PAID)

    assert announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party"))) == 0
    assert not ProfileAnnouncement.objects.exists()


def test_a_change_the_citizen_is_not_told_of_is_not_announced(person, organisation, profile_standin):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_UPDATED, dossier, change=TimelineEventKind.VIEWED)
    emit(EventType.SUBMISSION_RECEIVED, dossier)

    assert announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party"))) == 0


def test_nothing_is_recorded_while_announcements_are_off(person, organisation, settings):
    settings.PROFILE_ANNOUNCER = ""
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)

    assert announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party"))) == 0
    assert not ProfileAnnouncement.objects.exists()


def test_the_announcement_reaches_the_stand_in_once_even_when_delivered_twice(
    person, organisation, profile_standin, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks, execute=True)  # the send task runs after commit

    announcement = ProfileAnnouncement.objects.get()
    assert (announcement.status, announcement.attempts) == (A.SUCCEEDED, 1)
    assert announcement.sent_at is not None and announcement.last_error == ""
    # Delivered again (a worker taken for dead, a redelivery): the same Idempotency-Key.
    ProfileAnnouncement.objects.filter(pk=announcement.pk).update(status=A.PENDING)
    assert announcement_attempt(announcement.pk) == A.SUCCEEDED

    assert len(profile_standin.received) == 2
    (received,) = profile_standin.listing()["announcements"]
    assert received["idempotency_key"] == str(announcement.key)
    assert received["case_id"] == dossier.reference
    body = received["body"]
    assert (body["title"], body["event"]) == (announcement.title, "created")
    assert body["case"]["status"] == dossier.status
    assert body["case"]["link"].endswith(f"/nl/mijn/dossiers/{dossier.reference}/")
    assert body["action_required"] is True
    (case,) = profile_standin.listing()["cases"]
    assert (case["case_id"], case["party"]) == (dossier.reference, body["party"])


def test_the_request_carries_no_national_number_name_or_address(
    person, number, organisation, profile_standin, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks, execute=True)

    (raw,) = profile_standin.received
    text = raw.decode()
    digits = number.replace(".", "").replace("-", "")
    assert len(digits) == 11
    for secret in (digits, number, person.identifier_hash, "An Peeters", "an.peeters@example.be"):
        assert secret not in text
    assert json.loads(raw)["party"]  # a pseudonym identifies the citizen instead


def test_while_the_profile_is_down_the_announcement_is_retried_then_given_up(
    person, organisation, profile_down, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)

    with time_machine.travel(START, tick=False):
        dispatch(django_capture_on_commit_callbacks, execute=True)
        announcement = ProfileAnnouncement.objects.get()
        assert (announcement.status, announcement.attempts) == (A.FAILED, 1)
        assert announcement.next_attempt_at == START + dt.timedelta(minutes=1)
        assert announcement.last_error == "ConnectionRefusedError"
        assert announcements_retry() == {}  # not due yet

    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert announcements_retry() == {A.FAILED: 1}
    announcement.refresh_from_db()
    assert announcement.next_attempt_at == START + dt.timedelta(minutes=6)

    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        assert announcements_retry() == {A.GAVE_UP: 1}
    announcement.refresh_from_db()
    assert (announcement.status, announcement.attempts, announcement.next_attempt_at) == (A.GAVE_UP, 3, None)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert announcements_retry() == {}


def test_a_profile_that_comes_back_gets_the_announcement_on_the_next_retry(
    person, organisation, profile_down, django_capture_on_commit_callbacks, settings
):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)
    with time_machine.travel(START, tick=False):
        dispatch(django_capture_on_commit_callbacks, execute=True)
    running = serve()
    settings.PROFILE_API_BASE = running.url
    try:
        with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
            assert announcements_retry() == {A.SUCCEEDED: 1}
        assert len(running.standin.listing()["announcements"]) == 1
    finally:
        running.stop()


def test_two_workers_never_send_the_same_announcement(person, organisation, profile_standin):
    from eloket.profile.services import announcement_claim

    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)
    announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party")))
    announcement = ProfileAnnouncement.objects.get()

    assert announcement_claim(announcement.pk) is not None
    assert announcement_claim(announcement.pk) is None
    assert announcement_attempt(announcement.pk) == "skipped"
    assert profile_standin.received == []


def test_a_profile_in_trouble_makes_the_attempt_fail_with_a_retry(person, organisation, profile_standin):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)
    announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party")))
    announcement = ProfileAnnouncement.objects.get()
    profile_standin.fault = "error"  # 503: worth a retry

    assert announcement_attempt(announcement.pk) == A.FAILED

    announcement.refresh_from_db()
    assert (announcement.last_error, announcement.next_attempt_at > timezone.now()) == ("HTTP 503", True)


def test_a_profile_refusing_the_request_itself_gives_up_at_once(
    person, organisation, profile_standin, settings
):
    dossier = DossierFactory(party=person, organisation=organisation, notified=True)
    emit(EventType.DOSSIER_CREATED, dossier)
    announcements_fan_out(list(OutboxEvent.objects.select_related("dossier", "party")))
    announcement = ProfileAnnouncement.objects.get()
    settings.PROFILE_API_BASE = f"{settings.PROFILE_API_BASE}/no-such-api"  # a 404

    assert announcement_attempt(announcement.pk) == A.GAVE_UP

    announcement.refresh_from_db()
    assert (announcement.attempts, announcement.last_error) == (1, "HTTP 404")
