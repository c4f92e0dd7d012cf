"""The PTR-pas (eloket.embed, issue 16 point 1): the overview's summary for a frame on a city's site or in
Mijn Burgerprofiel. It shows only the acting party's dossiers, nothing without login, and it is the one
page that the configured parents, and nobody else, may frame."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from eloket.middleware import ACTING_PARTY_SESSION_KEY
from tests.config.test_settings import run_django
from tests.csp_check import blocked_inline_scripts, policy_of
from tests.factories import DossierFactory, UserFactory, enterprise_party, person_party

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "fr", "en", "de"]
PARENTS = ["https://www.genk.be", "https://mijn.vlaanderen.be"]


def embed_url(language: str = "nl") -> str:
    with translation.override(language):
        return reverse("eloket:ptr_pas_embed")


def links_to_top(html: str) -> list[str]:
    return re.findall(r'<a [^>]*target="_top"[^>]*>', html)


@pytest.fixture
def citizen(client):
    """A logged-in citizen with two fines to pay and a paid one."""
    user = UserFactory()
    party = person_party(name="An Peeters", user=user)
    dossiers = [DossierFactory(party=party, notified=True) for _ in range(2)]
    dossiers.append(DossierFactory(party=party, paid=True))
    client.force_login(user)
    return user, party, dossiers


def test_the_ptr_pas_shows_the_acting_partys_summary_and_newest_dossiers_and_nobody_elses(client, citizen):
    _user, _party, dossiers = citizen
    stranger = DossierFactory(party=person_party(name="Geheime Buurman"), notified=True)
    response = client.get(embed_url())
    assert response.status_code == 200
    html = response.content.decode()
    totals = response.context["totals"]
    assert totals.open_count == 2
    assert totals.due_cents == sum(dossier.amount_due_cents for dossier in dossiers) > 0
    assert 'data-testid="embed-total-due"' in html
    assert [dossier.reference for dossier in response.context["newest"]] == [
        dossier.reference for dossier in sorted(dossiers, key=lambda d: d.occurred_at, reverse=True)
    ]
    for dossier in dossiers:
        assert dossier.reference in html
    assert stranger.reference not in html and "Geheime Buurman" not in html
    assert {d.reference for d in response.context["needs_action"]} == {d.reference for d in dossiers[:2]}
    assert html.count('class="badge badge--') == 3  # the overview's status badge on each newest dossier


def test_every_link_of_the_ptr_pas_opens_in_the_top_window(client, citizen):
    _user, _party, dossiers = citizen
    html = client.get(embed_url()).content.decode()
    anchors = re.findall(r"<a [^>]*>", html)
    assert anchors and anchors == links_to_top(html)
    detail = reverse("eloket:dossier_detail", args=[dossiers[0].reference])
    assert any(f'href="{detail}"' in anchor for anchor in anchors)
    assert any(f'href="{reverse("eloket:overview")}"' in anchor for anchor in anchors)


def test_the_ptr_pas_shows_at_most_three_to_act_on_and_the_five_newest(client):
    user = UserFactory()
    party = person_party(user=user)
    for _ in range(7):
        DossierFactory(party=party, notified=True)
    client.force_login(user)
    response = client.get(embed_url())
    html = response.content.decode()
    assert len(response.context["needs_action"]) == 3
    assert html.count('class="embed-list__item"') == 5
    assert response.context["totals"].open_count == 7


def test_acting_for_a_company_the_ptr_pas_shows_the_companys_dossiers_not_the_persons(client):
    user = UserFactory()
    own = DossierFactory(party=person_party(name="Bart Claes", user=user), notified=True)
    company = enterprise_party(name="Claes Transport NV", representative=user)
    company_dossier = DossierFactory(party=company, notified=True)
    client.force_login(user)
    session = client.session
    session[ACTING_PARTY_SESSION_KEY] = company.pk
    session.save()
    response = client.get(embed_url())
    html = response.content.decode()
    assert company_dossier.reference in html and own.reference not in html
    assert "Claes Transport NV" in html
    assert response.context["totals"].due_cents == company_dossier.amount_due_cents


def test_a_forged_acting_party_in_the_session_falls_back_to_the_users_own_dossiers(client):
    user = UserFactory()
    own = DossierFactory(party=person_party(user=user), notified=True)
    other_company = enterprise_party(name="Andermans NV")
    theirs = DossierFactory(party=other_company, notified=True)
    client.force_login(user)
    session = client.session
    session[ACTING_PARTY_SESSION_KEY] = other_company.pk
    session.save()
    html = client.get(embed_url()).content.decode()
    assert own.reference in html and theirs.reference not in html and "Andermans NV" not in html


def test_without_login_the_ptr_pas_shows_no_data_and_a_login_link_for_the_top_window(client):
    dossier = DossierFactory(party=person_party(name="An Peeters"), notified=True)
    response = client.get(embed_url())
    assert response.status_code == 200  # not a redirect: the login must not open inside the frame
    html = response.content.decode()
    assert dossier.reference not in html and "An Peeters" not in html
    assert "embed-total-due" not in html and "totals" not in response.context
    (login,) = links_to_top(html)
    assert 'data-testid="embed-login"' in login
    # Where login_required, which guards the overview, would send the citizen.
    assert f'href="{reverse("eloket:login")}?next={reverse("eloket:overview")}"' in login
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_login_without_a_party_sees_the_notice_and_no_summary(client):
    client.force_login(UserFactory())
    response = client.get(embed_url())
    assert response.status_code == 200
    assert "rijksregisternummer" in response.content.decode()
    assert "totals" not in response.context


def test_the_ptr_pas_may_be_framed_by_our_pages_only_by_default(client, citizen):
    response = client.get(embed_url())
    assert "X-Frame-Options" not in response.headers
    assert policy_of(response)["frame-ancestors"] == "frame-ancestors 'self'"


def test_the_ptr_pas_may_be_framed_by_exactly_the_configured_parents(client, citizen, settings):
    settings.ELOKET_EMBED_PARENT_ORIGINS = PARENTS
    for response in (client.get(embed_url()), client.get(embed_url("fr"))):
        assert "X-Frame-Options" not in response.headers
        assert policy_of(response)["frame-ancestors"] == "frame-ancestors 'self' " + " ".join(PARENTS)
        assert blocked_inline_scripts(response) == []


def test_without_login_the_ptr_pas_may_be_framed_too_so_that_its_login_link_shows(client, settings):
    settings.ELOKET_EMBED_PARENT_ORIGINS = PARENTS
    response = client.get(embed_url())
    assert "X-Frame-Options" not in response.headers
    assert policy_of(response)["frame-ancestors"] == "frame-ancestors 'self' " + " ".join(PARENTS)


def test_every_other_page_still_refuses_to_be_framed(client, citizen, settings):
    settings.ELOKET_EMBED_PARENT_ORIGINS = PARENTS
    settings.DEMO_MODE = True
    _user, _party, dossiers = citizen
    urls = [
        reverse("eloket:overview"),
        reverse("eloket:dossier_detail", args=[dossiers[0].reference]),
        reverse("eloket:demo_city_site"),
        reverse("eloket:login"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert policy_of(response)["frame-ancestors"] == "frame-ancestors 'none'", url


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ptr_pas_renders_in_each_language_with_its_lang(client, citizen, language):
    response = client.get(embed_url(language))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert f'href="{reverse("eloket:overview")}"' in html  # links stay in the language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_logged_out_ptr_pas_renders_in_each_language_with_its_lang(client, language):
    html = client.get(embed_url(language)).content.decode()
    assert f'<html lang="{language}">' in html
    assert f'href="/{language}/aanmelden/?next=/{language}/mijn/"' in html


def test_without_a_client_id_the_page_loads_no_mijn_burgerprofiel_script(client, citizen, settings):
    settings.ELOKET_MBP_EMBED_SDK_URL = "https://sdk.example.vlaanderen.be/mbp-embed-sdk.js"
    response = client.get(embed_url())
    html = response.content.decode()
    assert "mbp-embed.js" not in html and "data-mbp-embed" not in html
    assert policy_of(response)["script-src"] == "script-src 'self'"


def test_with_a_client_id_the_sdk_settings_reach_the_script_as_data_attributes(client, citizen, settings):
    settings.ELOKET_MBP_EMBED_CLIENT_ID = "eloket-ptr-pas"
    settings.ELOKET_MBP_EMBED_SDK_URL = "https://sdk.example.vlaanderen.be/v1/mbp-embed-sdk.js"
    settings.ELOKET_EMBED_PARENT_ORIGINS = PARENTS
    response = client.get(embed_url())
    html = response.content.decode()
    assert re.search(r'<script src="[^"]*/js/mbp-embed\.[^"]*js" defer></script>', html)
    assert 'data-client-id="eloket-ptr-pas"' in html
    assert 'data-sdk-url="https://sdk.example.vlaanderen.be/v1/mbp-embed-sdk.js"' in html
    assert 'data-allowed-hosts="www.genk.be mijn.vlaanderen.be"' in html
    assert 'data-title="Mijn dossiers"' in html
    assert policy_of(response)["script-src"] == "script-src 'self' https://sdk.example.vlaanderen.be"
    assert blocked_inline_scripts(response) == []
    assert policy_of(client.get(reverse("eloket:overview")))["script-src"] == "script-src 'self'"


def test_the_demo_city_page_frames_the_ptr_pas_in_demo_mode_only(client, settings):
    settings.DEMO_MODE = False
    assert client.get("/nl/demo/stadssite/").status_code == 404
    settings.DEMO_MODE = True
    for language in LANGUAGES:
        with translation.override(language):
            url = reverse("eloket:demo_city_site")
        html = client.get(url).content.decode()
        assert f'<html lang="{language}">' in html
        assert re.search(rf'<iframe [^>]*src="{re.escape(embed_url(language))}" title="[^"]+"', html)


def test_production_refuses_a_frame_parent_or_sdk_that_is_not_https():
    show = "from django.conf import settings; print(settings.ELOKET_EMBED_PARENT_ORIGINS)"
    accepted = run_django(show, ELOKET_EMBED_PARENT_ORIGINS="https://www.genk.be/,https://mijn.vlaanderen.be")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == "['https://www.genk.be', 'https://mijn.vlaanderen.be']"
    for bad in (
        "http://www.genk.be",
        "*",
        "https://www.genk.be,'unsafe-inline'",
        "https://a.be https://b.be",
    ):
        refused = run_django("pass", ELOKET_EMBED_PARENT_ORIGINS=bad)
        assert refused.returncode != 0 and "ELOKET_EMBED_PARENT_ORIGINS" in refused.stderr, bad
    refused = run_django("pass", ELOKET_MBP_EMBED_SDK_URL="http://sdk.example/sdk.js")
    assert refused.returncode != 0 and "ELOKET_MBP_EMBED_SDK_URL" in refused.stderr
