"""Citizens' sessions end after the idle time (ELOKET_SESSION_IDLE_MINUTES) with a page that says so;
the page's timer asks how long is left without counting as activity."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.urls import reverse

from eloket.auth.middleware import CITIZEN_SESSION_KEY
from tests.factories import UserFactory, person_party, staff_login

pytestmark = pytest.mark.django_db

START = int(time.time())


@pytest.fixture
def citizen_client(client):
    """A citizen's session, as the government and demo logins mark it."""
    user = UserFactory()
    person_party(user=user)
    client.force_login(user)
    session = client.session
    session[CITIZEN_SESSION_KEY] = True
    session.save()
    return client


def test_a_citizen_is_logged_out_after_the_idle_time(citizen_client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(START, tick=False):
        assert citizen_client.get(reverse("eloket:overview")).status_code == 200
    with time_machine.travel(START + 29 * 60, tick=False):
        assert citizen_client.get(reverse("eloket:overview")).status_code == 200  # activity resets it
    with time_machine.travel(START + 29 * 60 + 31 * 60, tick=False):
        response = citizen_client.get(reverse("eloket:overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("eloket:session_expired") + "?next=%2Fnl%2Fmijn%2F"
    assert "_auth_user_id" not in citizen_client.session
    page = citizen_client.get(response["Location"]).content.decode()
    assert "30 minuten" in page and 'href="/nl/aanmelden/?next=/nl/mijn/"' in page.replace("%2F", "/")


def test_the_timer_reads_the_time_left_without_extending_it(citizen_client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    status_url = reverse("eloket:session_status")
    with time_machine.travel(START, tick=False):
        citizen_client.get(reverse("eloket:overview"))
    with time_machine.travel(START + 20 * 60, tick=False):
        assert citizen_client.get(status_url).json() == {"active": True, "seconds_left": 600}
    with time_machine.travel(START + 25 * 60, tick=False):
        assert citizen_client.get(status_url).json()["seconds_left"] == 300  # the GET did not count
        assert citizen_client.post(status_url).json()["seconds_left"] == 1800  # "stay logged in"


def test_pages_carry_the_timer_for_citizens_only(citizen_client, settings):
    from django.test import Client

    html = citizen_client.get(reverse("eloket:overview")).content.decode()
    assert f'data-session-idle="{settings.SESSION_IDLE_MINUTES * 60}"' in html
    assert 'id="session-warning"' in html and "js/session-timeout.js" in html
    anonymous = Client().get(reverse("eloket:login")).content.decode()
    assert "data-session-idle" not in anonymous


def test_staff_sessions_are_not_ended_by_the_citizens_idle_time(client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    staff_login(client, UserFactory(is_staff=True, is_superuser=True))
    with time_machine.travel(START, tick=False):
        assert client.get("/beheer/").status_code == 200
    with time_machine.travel(START + 3600, tick=False):
        assert client.get("/beheer/").status_code == 200


def test_the_demo_login_marks_a_citizens_session(client, settings):
    settings.DEMO_MODE = True
    user = UserFactory(demo_key="an-peeters")
    person_party(user=user)
    client.post(reverse("eloket:demo_login"), {"identity": "an-peeters"})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[CITIZEN_SESSION_KEY] is True
