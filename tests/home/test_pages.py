import re

import pytest

from tests.home.factories import CityPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot_cities(home_page, municipalities, genk_page, vilvoorde_page):
    for slug in ("antwerpen", "hasselt", "mechelen"):
        CityPageFactory(parent=home_page, municipality=municipalities[slug])


def city_titles(response) -> list[str]:
    return [listing.title for listing in response.context["city_listings"]]


def test_home_page_lists_the_cities_of_its_language_alphabetically(client, pilot_cities):
    response = client.get("/nl/")

    assert response.status_code == 200
    assert city_titles(response) == ["Antwerpen", "Genk", "Hasselt", "Mechelen", "Vilvoorde"]
    assert '<a href="/nl/genk/">Genk</a>' in response.content.decode()


def test_home_page_leaves_out_unpublished_cities(client, pilot_cities, vilvoorde_page):
    vilvoorde_page.unpublish()

    assert "Vilvoorde" not in city_titles(client.get("/nl/"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("genk", ["Genk"]),
        ("  GENK ", ["Genk"]),
        ("3600", ["Genk"]),
        ("2018", ["Antwerpen"]),
        ("malines", ["Mechelen"]),
        ("el", ["Hasselt", "Mechelen"]),
        ("Brussel", []),
    ],
)
def test_home_page_search_filters_cities_by_name_or_postcode(client, pilot_cities, query, expected):
    assert city_titles(client.get("/nl/", {"q": query})) == expected


def test_home_page_search_says_when_nothing_matches(client, pilot_cities):
    html = client.get("/nl/", {"q": "Brussel"}).content.decode()

    assert "0 resultaten voor “Brussel”" in html
    assert "Geen stad of gemeente gevonden" in html


def test_home_page_search_field_has_a_label(client, pilot_cities):
    html = client.get("/nl/").content.decode()

    assert '<label for="id_q">' in html
    assert 'id="id_q"' in html
    assert 'role="search"' in html


def test_home_page_sends_visitors_to_log_in_for_their_dossiers(client, home_page):
    html = client.get("/nl/").content.decode()

    assert 'href="/nl/aanmelden/?next=%2Fnl%2Fmijn%2F"' in html


def test_home_page_sends_logged_in_citizens_straight_to_their_dossiers(client, home_page, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="burger", password="x" * 12))

    html = client.get("/nl/").content.decode()

    assert '<a class="button button--large" href="/nl/mijn/">' in html


def test_city_page_lists_its_live_info_pages(client, genk_page, genk_info_page):
    html = client.get("/nl/genk/").content.decode()

    assert '<a class="topic-list__link" href="/nl/genk/gas-boetes/">GAS-boetes</a>' in html
    assert "Bedragen en termijnen van GAS 4 en GAS 5." in html


@pytest.mark.parametrize("url", ["/nl/", "/nl/genk/", "/nl/genk/gas-boetes/"])
def test_every_page_type_has_exactly_one_h1_and_loads_its_stylesheet(client, genk_info_page, url):
    html = client.get(url).content.decode()

    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "/static/home/pages.css" in html
    assert "<script" not in html
    assert " style=" not in html


def test_info_page_has_a_breadcrumb_from_the_home_page(client, genk_info_page):
    html = client.get("/nl/genk/gas-boetes/").content.decode()

    assert '<nav class="breadcrumb" aria-label="Kruimelpad">' in html
    assert '<a href="/nl/">E-loket Vlaanderen</a>' in html
    assert '<a href="/nl/genk/">Genk</a>' in html


def test_language_switch_on_a_genk_page_goes_to_its_french_translation(
    client, locales, home_page, genk_page, genk_info_page, translate
):
    translate(home_page, locales["fr"])
    translate(genk_page, locales["fr"])
    french = translate(genk_info_page, locales["fr"])

    html = client.get("/nl/genk/gas-boetes/").content.decode()
    french_url = french.get_url()

    assert french_url == "/fr/genk/gas-boetes/"
    assert f'<a href="{french_url}" lang="fr" hreflang="fr">' in html
    response = client.get(french_url)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


def test_french_home_page_offers_untranslated_cities_in_dutch(
    client, locales, home_page, genk_page, vilvoorde_page, translate
):
    translate(home_page, locales["fr"])
    translate(genk_page, locales["fr"])

    response = client.get("/fr/")
    html = response.content.decode()

    assert [(listing.title, listing.language) for listing in response.context["city_listings"]] == [
        ("Genk", "fr"),
        ("Vilvoorde", "nl"),
    ]
    assert '<a href="/fr/genk/">Genk</a>' in html
    assert '<a href="/nl/vilvoorde/" lang="nl" hreflang="nl">Vilvoorde</a>' in html


def test_language_switch_to_a_language_without_translation_stays_on_the_page(
    client, locales, home_page, genk_page, genk_info_page, translate
):
    """Not that language's home page: the same page with a notice (tests/home/test_language_switch.py)."""
    translate(home_page, locales["de"])

    html = client.get("/nl/genk/gas-boetes/").content.decode()

    assert '<a href="/nl/genk/gas-boetes/?taal=de" lang="de" hreflang="nl">' in html
    assert client.get("/nl/genk/gas-boetes/?taal=de").status_code == 200
