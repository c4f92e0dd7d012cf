"""What the citizen sees: a retribution cancelled by a session says by which provider and when; the
page "Parkeersessies" and the overview's block list the acting party's own sessions, and nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from eloket.sessions.cross_check import session_cross_check
from tests.factories import MunicipalityFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def citizen(client):
    user = UserFactory()
    party = person_party(name="An Peeters", user=user)
    client.force_login(user)
    return party


def url(name: str, *args, language: str = "nl") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def local(value: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(value), "j F Y, H:i")


def test_the_dossier_says_which_provider_and_session_cancelled_it(client, citizen, session_city):
    dossier = session_city.retribution(party=citizen)
    session = session_city.session()
    session_cross_check(session_ids=[session.pk])

    page = client.get(url("eloket:dossier_detail", dossier.reference)).content.decode()

    assert "Geannuleerd: betaald via 4411" in page
    assert (
        f"voor uw voertuig liep een parkeersessie van {local(session.start_at)} tot {local(session.end_at)}"
        " in Zone GNK-C1." in page
    )
    assert f"sessie {session.provider_session_id} van 4411 in zone GNK-C1" in page  # the timeline
    assert "krijgt u terug" not in page


def test_a_paid_retribution_cancelled_by_a_late_session_says_the_money_comes_back(
    client, citizen, session_city
):
    dossier = session_city.retribution(party=citizen, paid=True)
    session = session_city.session(end_at=None)
    session_cross_check(session_ids=[session.pk])

    page = client.get(url("eloket:dossier_detail", dossier.reference)).content.decode()

    assert "Geannuleerd: betaald via 4411" in page
    assert f"liep een parkeersessie vanaf {local(session.start_at)} in Zone GNK-C1." in page
    assert "Wat u voor deze retributie betaald had, krijgt u terug." in page


def test_the_page_lists_the_partys_sessions_across_cities_newest_first(client, citizen, session_city):
    now = timezone.now()
    older = session_city.session(party=citizen, start=now - dt.timedelta(days=3), plate="1-AAA-111")
    running = session_city.session(party=citizen, start=now - 30 * MINUTE, end_at=None, plate="1-BBB-222")
    hasselt = session_city.area_make("HSL-1", municipality=MunicipalityFactory(name_nl="Hasselt"))
    elsewhere = session_city.session(party=citizen, area=hasselt, start=now - dt.timedelta(days=5))
    session_city.session(party=person_party(name="Bart Claes"), plate="9-NOT-999")  # another party's

    response = client.get(url("eloket:parking_sessions"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<caption>3 parkeersessies</caption>" in page
    assert page.index("1-BBB-222") < page.index("1-AAA-111")  # newest first
    assert "9-NOT-999" not in page
    assert "loopt nog" in page and local(older.end_at) in page
    assert "4411" in page and "Genk" in page and "Zone GNK-C1" in page and "€ 2,50" in page
    assert "Hasselt" in page and "Zone HSL-1" in page
    assert list(response.context["page"].object_list) == [running, older, elsewhere]


def test_the_area_is_named_in_the_visitors_language(client, citizen, session_city):
    session_city.session(party=citizen)
    page = client.get(url("eloket:parking_sessions", language="fr")).content.decode()
    assert "Zone GNK-C1 (fr)" in page


def test_the_page_is_paginated(client, citizen, session_city, settings):
    settings.ELOKET_PAGE_SIZE = 2
    for days in range(5):
        session_city.session(party=citizen, start=timezone.now() - dt.timedelta(days=days + 1))
    first = client.get(url("eloket:parking_sessions"))
    last = client.get(url("eloket:parking_sessions") + "?pagina=3")
    assert len(first.context["page"].object_list) == 2
    assert "5 parkeersessies, pagina 1 van 3" in first.content.decode()
    assert len(last.context["page"].object_list) == 1
    assert "?pagina=2" in last.content.decode()


def test_a_citizen_without_sessions_is_told_so_and_the_overview_shows_no_block(client, citizen, session_city):
    session_city.session(party=person_party(name="Bart Claes"))
    assert (
        "Er zijn geen parkeersessies op uw naam."
        in client.get(url("eloket:parking_sessions")).content.decode()
    )
    overview = client.get(url("eloket:overview")).content.decode()
    assert 'data-testid="overview-sessions"' not in overview


def test_the_overview_shows_the_latest_three_sessions_and_links_to_the_page(client, citizen, session_city):
    plates = [f"1-OVR-{i:03d}" for i in range(5)]
    for days, plate in enumerate(plates):
        session_city.session(party=citizen, plate=plate, start=timezone.now() - dt.timedelta(days=days + 1))

    page = client.get(url("eloket:overview")).content.decode()

    assert 'data-testid="overview-sessions"' in page
    assert [plate in page for plate in plates] == [True, True, True, False, False]
    assert f'href="{url("eloket:parking_sessions")}"' in page


def overview_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("eloket:overview")).status_code == 200
    return len(captured.captured_queries)


def test_the_overview_runs_as_many_queries_for_one_session_as_for_many(client, citizen, session_city):
    session_city.session(party=citizen)
    at_one = overview_queries(client)
    for i in range(6):
        area = session_city.area_make(f"Z{i}")
        session_city.session(party=citizen, area=area)
    assert overview_queries(client) == at_one


def test_the_page_asks_for_a_login_and_a_party(client, session_city):
    assert client.get(url("eloket:parking_sessions")).status_code == 302
    client.force_login(UserFactory())  # a login that acts for no party
    response = client.get(url("eloket:parking_sessions"))
    assert response.status_code == 200
    assert "eloket/no_party.html" in [t.name for t in response.templates]
