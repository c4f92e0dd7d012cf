"""At 360 px wide (a small phone) nothing scrolls sideways and the main actions can be tapped."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import OVERVIEW_URL, controls_outside, dossier_rows, scroll_width

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
REFLOW_WIDTH = 320


@pytest.fixture
def phone(an_page) -> Page:
    an_page.set_viewport_size(PHONE)
    return an_page


def assert_fits(page: Page, *, width: int = PHONE["width"]) -> None:
    actual = scroll_width(page)
    assert actual <= width, f"{page.url} scrolls sideways at {width} px: {actual} px wide"
    outside = controls_outside(page, width=width)
    assert not outside, f"{page.url}: controls outside a {width} px screen: {outside}"


# The Wagtail pages of the demo are translated into French (and English), not into German.
PAGES_BY_LANGUAGE = [
    *((name, language) for language in ("nl", "fr") for name in ("home", "city", "overview", "dossier")),
    ("overview", "de"),
    ("dossier", "de"),
]


@pytest.mark.parametrize(
    ("name", "language"), PAGES_BY_LANGUAGE, ids=[f"{n}-{lang}" for n, lang in PAGES_BY_LANGUAGE]
)
def test_the_page_fits_a_360_px_screen_and_reflows_at_320_px_without_scrolling_sideways(
    phone, site_paths, name, language
):
    """French and German words are longer than Dutch ones: the layout must hold in every language.
    320 px is WCAG 1.4.10's reflow width (1280 px zoomed to 400 %)."""
    response = phone.goto(site_paths[name].replace("/nl/", f"/{language}/", 1))
    assert response is not None and response.ok
    expect(phone.locator("html")).to_have_attribute("lang", language)
    assert_fits(phone)
    phone.set_viewport_size({"width": REFLOW_WIDTH, "height": PHONE["height"]})
    assert_fits(phone, width=REFLOW_WIDTH)


def test_on_a_phone_the_home_page_leads_to_my_dossiers_and_to_a_city(phone):
    phone.goto("/nl/")
    phone.locator("main").get_by_role("link", name="Naar mijn dossiers").click()
    expect(phone).to_have_url(OVERVIEW_URL)

    phone.goto("/nl/")
    phone.get_by_role("searchbox").fill("3600")
    phone.get_by_role("button", name="Zoeken").click()
    phone.locator("main").get_by_role("link", name="Genk", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/nl/genk/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Genk")


def test_on_a_phone_a_city_page_opens_its_information_pages(phone):
    phone.goto("/nl/genk/")
    topics = phone.locator("main .topic-list a")
    expect(topics.first).to_be_visible()
    title = topics.first.inner_text().strip()
    topics.first.click()
    expect(phone).to_have_url(re.compile(r"/nl/genk/[\w-]+/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    assert_fits(phone)


def test_on_a_phone_a_citizen_filters_the_overview_and_opens_a_dossier(phone):
    phone.goto("/nl/mijn/")
    phone.get_by_label("Status").select_option(label="Te betalen")
    phone.get_by_role("button", name="Toepassen").click()
    expect(phone).to_have_url(re.compile(r"status=notified"))
    assert_fits(phone)
    link = dossier_rows(phone).first.get_by_role("link")
    reference = link.inner_text().strip()
    link.click()
    expect(phone).to_have_url(re.compile(rf"/nl/mijn/dossiers/{reference}/$"))
    assert_fits(phone)


def test_on_a_phone_the_dossier_page_shows_its_evidence_within_the_screen_and_leads_back(
    phone, an_dossier_path
):
    phone.goto(an_dossier_path)
    photo = phone.locator(".evidence img").first
    expect(photo).to_be_visible()
    box = photo.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    phone.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Mijn dossiers").click()
    expect(phone).to_have_url(OVERVIEW_URL)


def test_on_a_phone_the_header_actions_stay_on_screen_and_work(phone):
    phone.goto("/nl/mijn/")
    header = phone.locator("header")
    for control in (
        header.get_by_role("link", name="Mijn dossiers"),
        header.get_by_role("button", name="Afmelden"),
        header.get_by_role("link", name="Wisselen"),
    ):
        expect(control).to_be_in_viewport()
    header.get_by_role("link", name="Wisselen").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Voor wie handelt u?")
    assert_fits(phone)
