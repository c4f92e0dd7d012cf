"""The demo of parking paid by app (issue 14): ``manage.py seed_demo`` run twice gives the same rows,
with areas for the pilot cities, a provider with its published key, the citizens' sessions, one
retribution of An Peeters cancelled by a late session and one contest with a near match for Genk."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient
from wagtail.models import Site

from eloket.constants import DossierStatus, OrganisationKind
from eloket.demo.api import PROVIDER_TOKEN
from eloket.demo.sessions import LATE_SESSION_ID, NEAR_SESSION_ID, PROVIDER_SLUG
from eloket.models import ApiKey, ApiScope, Dossier, Organisation, Party, User
from eloket.models.parking import (
    ParkingArea,
    ParkingAreaStreet,
    ParkingSession,
    SessionMatch,
    SessionNearMatch,
)
from eloket.sessions.selectors import parking_sessions_for_party
from forms.inbox import clerk_submissions
from forms.models import Submission

pytestmark = pytest.mark.django_db

MODELS = (
    ParkingArea,
    ParkingAreaStreet,
    ParkingSession,
    SessionMatch,
    SessionNearMatch,
    Dossier,
    Submission,
    ApiKey,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded_twice(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(DEMO_MODE=True):
        first_out = io.StringIO()
        call_command("seed_demo", stdout=first_out)
        first = counts()
        second_out = io.StringIO()
        call_command("seed_demo", stdout=second_out)
        yield first, counts(), first_out.getvalue(), second_out.getvalue()
        transaction.set_rollback(True)
        Site.clear_site_root_paths_cache()


@pytest.fixture
def seeded(seeded_twice, db):
    Site.clear_site_root_paths_cache()
    return seeded_twice


def test_seeding_twice_gives_the_same_rows(seeded):
    first, second, first_out, second_out = seeded
    assert first == second
    assert first["ParkingSession"] >= 8 and first["SessionNearMatch"] >= 1
    assert "elk_demoprov0001" in first_out and "near match" in first_out
    assert "near match" not in second_out  # the contest is there already


def test_the_pilot_cities_have_areas_with_neighbours_streets_and_four_languages(seeded):
    for slug in ("genk", "antwerpen", "mechelen"):
        areas = ParkingArea.objects.filter(municipality__slug=slug)
        assert areas.count() >= 2, slug
        for area in areas:
            assert area.name_de and area.name_fr and area.street_keys.exists(), area.code
            assert area.neighbours.exists(), area.code
            assert set(area.neighbours.values_list("municipality__slug", flat=True)) == {slug}


def test_the_demo_provider_holds_only_sessions_write_and_its_key_reports_a_session(seeded):
    provider = Organisation.objects.get(slug=PROVIDER_SLUG)
    assert provider.kind == OrganisationKind.PARKING_PROVIDER
    assert set(provider.municipalities.values_list("slug", flat=True)) >= {"genk", "antwerpen", "mechelen"}
    key = ApiKey.objects.get(prefix="demoprov0001")
    assert key.has_scope(ApiScope.SESSIONS_WRITE) and not key.has_scope(ApiScope.DOSSIERS_READ)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {PROVIDER_TOKEN}")
    body = {"plate": "1-XYZ-987", "municipality": "71016", "area": "Z1", "start": "2026-01-05T09:00:00+01:00"}
    with override_settings(DEMO_MODE=True):
        response = client.put("/api/v1/sessions/README-1/", body, format="json")
        assert response.status_code == 201, response.content
        assert client.get("/api/v1/dossiers/").status_code == 403


def an_peeters() -> Party:
    return Party.objects.get(representations__user__demo_key="citizen-many", kind="person")


def test_an_peeters_sees_her_sessions_in_three_cities(seeded):
    sessions = list(parking_sessions_for_party(party=an_peeters()))
    assert len({session.municipality_id for session in sessions}) >= 3
    company = Party.objects.get(kind="enterprise", representations__user__demo_key="company-rep")
    assert parking_sessions_for_party(party=company).exists()


def test_one_retribution_of_an_peeters_is_cancelled_by_a_session_that_came_after_it(seeded):
    match = SessionMatch.objects.select_related("dossier", "session").get(
        session__provider_session_id=LATE_SESSION_ID
    )
    dossier = match.dossier
    assert (dossier.party, dossier.status) == (an_peeters(), DossierStatus.CANCELLED_BY_SESSION)
    assert match.session.received_at > dossier.created_at
    assert match.status_from == DossierStatus.NOTIFIED
    cancelled = Dossier.objects.filter(party__representations__user__demo_key="citizen-many")
    assert cancelled.filter(status=DossierStatus.CANCELLED_BY_SESSION).count() == 1


def test_a_contest_with_a_near_match_waits_in_the_genk_clerks_inbox(seeded):
    near = SessionNearMatch.objects.select_related("dossier", "session").get(
        session__provider_session_id=NEAR_SESSION_ID
    )
    assert near.accepted_at is None
    assert [reason["code"] for reason in near.reasons] == ["plate_confusion"]  # an 8 for the B
    assert near.dossier.party == an_peeters()
    assert near.dossier.status == DossierStatus.CONTESTED
    assert not SessionMatch.objects.filter(dossier=near.dossier).exists()
    clerk = User.objects.get(username="behandelaar-genk")
    assert clerk_submissions(user=clerk).filter(dossier=near.dossier, contest_reason="valid_session").exists()
    antwerp = User.objects.get(username="behandelaar-antwerpen")
    assert not clerk_submissions(user=antwerp).filter(dossier=near.dossier).exists()
