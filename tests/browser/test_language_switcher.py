"""The language switcher keeps the citizen on the same page: the same view, or the page's translation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import dossier_rows, language_link

pytestmark = pytest.mark.browser


def test_on_the_overview_switching_to_french_keeps_the_page_and_its_filters(an_page):
    an_page.goto("/nl/mijn/?kind=gas4")
    count = dossier_rows(an_page).count()
    assert count > 0
    expect(language_link(an_page, "fr")).to_have_attribute("href", "/fr/mijn/?kind=gas4")

    language_link(an_page, "fr").click()
    expect(an_page).to_have_url(re.compile(r"/fr/mijn/\?kind=gas4$"))
    expect(an_page.locator("html")).to_have_attribute("lang", "fr")
    expect(dossier_rows(an_page)).to_have_count(count)


@pytest.mark.parametrize("code", ["fr", "en"])
def test_on_a_city_page_the_language_switcher_leads_to_its_translation(page, code):
    page.goto("/nl/genk/")
    language_link(page, code).click()
    expect(page).to_have_url(re.compile(rf"/{code}/[\w-]+/$"))
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Genk")
    # And back: the Dutch link of the translation leads to the Dutch page it came from.
    language_link(page, "nl").click()
    expect(page).to_have_url(re.compile(r"/nl/genk/$"))


def test_in_french_the_dossier_page_speaks_french(an_page, an_dossier_path):
    an_page.goto(an_dossier_path.replace("/nl/", "/fr/", 1))
    expect(an_page.locator("html")).to_have_attribute("lang", "fr")
    # Dutch interface texts of the page must be gone, whatever their French wording is.
    for dutch in ("Mijn dossiers", "De feiten", "Waarom dit dossier?", "Verloop"):
        expect(an_page.locator("main").get_by_text(dutch, exact=True)).to_have_count(0)


CITY_PAGES = ["/nl/genk/", "/nl/antwerpen/", "/nl/hasselt/", "/nl/mechelen/", "/nl/vilvoorde/"]


def test_the_language_switcher_never_leads_to_a_missing_page(page):
    """A page without a translation (Hasselt in French, Genk in German) links to itself with a notice."""
    broken = []
    for path in CITY_PAGES:
        page.goto(path)
        for link in page.locator(".language-switcher a").all():
            href = link.get_attribute("href")
            status = page.request.get(href).status
            if status >= 400:
                broken.append(f"{path} → {href}: {status}")
    assert not broken, "\n".join(broken)
