"""The language switch keeps the page: a Wagtail page's translation when there is one, else the same
page with a notice in the chosen language; an e-loket page in the other language (``translate_url``).
Never silently another language's home page."""

from __future__ import annotations

import re

import pytest
from django.urls import translate_url
from django.utils import translation

from tests.factories import DossierFactory, OrganisationFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = ["fr", "en", "de"]
# Django's name of Dutch in each language, as the notice says it (French in lower case, mid-sentence).
DUTCH_IN = {"fr": "néerlandais", "en": "Dutch", "de": "Niederländisch"}


def switch_links(html: str) -> dict[str, tuple[str, str]]:
    """The language switcher's links: code → (href, hreflang)."""
    nav = html[html.index('<nav class="language-switcher"') :]
    nav = nav[: nav.index("</nav>")]
    found = re.findall(r'<a href="([^"]*)" lang="(\w+)" hreflang="(\w+)"', nav)
    return {code: (href.replace("&amp;", "&"), hreflang) for href, code, hreflang in found}


def notice(html: str) -> str | None:
    match = re.search(
        r'<div class="notice" role="note" lang="(\w+)" data-testid="untranslated-notice">(.*?)</div>',
        html,
        re.S,
    )
    return f"{match.group(1)}|{match.group(2)}" if match else None


@pytest.fixture
def genk_in_french(locales, home_page, genk_page, genk_info_page, translate):
    """Genk and its GAS page translated into French; Vilvoorde's parking page only in Dutch."""
    translate(home_page, locales["fr"])
    translate(genk_page, locales["fr"])
    return translate(genk_info_page, locales["fr"])


def test_a_page_with_a_french_translation_switches_to_it_and_stays_put_for_english_and_german(
    client, genk_in_french
):
    html = client.get("/nl/genk/gas-boetes/").content.decode()
    links = switch_links(html)

    assert links["nl"] == ("/nl/genk/gas-boetes/", "nl")
    assert links["fr"] == ("/fr/genk/gas-boetes/", "fr")
    assert links["en"] == ("/nl/genk/gas-boetes/?taal=en", "nl")
    assert links["de"] == ("/nl/genk/gas-boetes/?taal=de", "nl")
    french = client.get(links["fr"][0]).content.decode()
    assert '<html lang="fr">' in french
    assert notice(french) is None


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_a_page_without_a_translation_stays_in_dutch_with_a_notice_in_the_chosen_language(
    client, genk_in_french, vilvoorde_info_page, code
):
    href, hreflang = switch_links(client.get("/nl/vilvoorde/parkeren/").content.decode())[code]
    assert (href, hreflang) == (f"/nl/vilvoorde/parkeren/?taal={code}", "nl")

    response = client.get(href)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in html
    assert "<h1>Parkeren</h1>" in html
    shown = notice(html)
    assert shown is not None and shown.startswith(f"{code}|")
    assert DUTCH_IN[code] in shown
    if code == "fr":  # the French home page exists: the notice leads there, in French
        assert 'href="/fr/" hreflang="fr"' in shown
    else:  # nothing in English or German to lead to: the notice says so and offers no link
        assert "<a " not in shown


def test_the_notice_leads_to_the_nearest_page_above_that_exists_in_that_language(
    client, genk_in_french, locales, translate
):
    from tests.home.factories import InfoPageFactory

    genk = genk_in_french.get_parent().get_translation(locales["nl"])
    InfoPageFactory(parent=genk, title="Bewonerskaart", slug="bewonerskaart")

    shown = notice(client.get("/nl/genk/bewonerskaart/?taal=fr").content.decode())

    assert shown is not None
    assert 'href="/fr/genk/" hreflang="fr"' in shown


def test_no_notice_without_the_switch_for_an_unknown_language_or_once_the_page_is_translated(
    client, genk_in_french, vilvoorde_info_page
):
    assert notice(client.get("/nl/vilvoorde/parkeren/").content.decode()) is None
    assert notice(client.get("/nl/vilvoorde/parkeren/?taal=xx").content.decode()) is None
    assert notice(client.get("/nl/vilvoorde/parkeren/?taal=nl").content.decode()) is None
    # A translation published since the link was made: no "not translated" notice on the Dutch page.
    assert notice(client.get("/nl/genk/gas-boetes/?taal=fr").content.decode()) is None


def test_the_switch_keeps_the_other_query_parameters_of_the_page(client, locales, home_page, genk_page):
    links = switch_links(client.get("/nl/?q=genk").content.decode())
    assert links["de"][0] == "/nl/?q=genk&taal=de"


@pytest.fixture
def citizen_client(client):
    user = UserFactory()
    party = person_party(user=user)
    DossierFactory(party=party, organisation=OrganisationFactory(), notified=True)
    client.force_login(user)
    return client, party


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_an_eloket_page_switches_to_the_same_view_in_the_chosen_language(citizen_client, code):
    client, party = citizen_client
    dossier = party.dossiers.get()
    for path in ("/nl/mijn/?kind=parking_retribution", f"/nl/mijn/dossiers/{dossier.reference}/"):
        href, hreflang = switch_links(client.get(path).content.decode())[code]
        with translation.override("nl"):
            assert href == translate_url(path, code)
        assert hreflang == code
        response = client.get(href)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{code}">' in html
        assert notice(html) is None
