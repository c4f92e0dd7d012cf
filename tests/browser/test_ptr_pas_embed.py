"""The PTR-pas in the demo city's website (issue 16 point 1): the frame shows what the overview shows,
in every language, on a phone and on a desktop; its links open in the top window; axe finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import controls_outside, scroll_width
from tests.browser.test_accessibility import AXE_OPTIONS, axe, violations_report
from tests.browser.test_accessibility import check as axe_check

pytestmark = pytest.mark.browser

LANGUAGES = ["nl", "fr", "en", "de"]
WIDTHS = {"phone": 360, "desktop": 1280}


def city_page(page: Page, language: str):
    response = page.goto(f"/{language}/demo/stadssite/")
    assert response is not None and response.ok, f"demo city page answered {response and response.status}"
    return page.frame_locator("iframe[data-testid=ptr-pas-frame]")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_city_page_shows_the_amount_due_of_the_overview_in_the_ptr_pas(
    an_page, screenshot_dir, language, width
):
    an_page.set_viewport_size({"width": width, "height": 900})
    an_page.goto(f"/{language}/mijn/")
    due = an_page.get_by_test_id("total-due").inner_text()
    assert re.search(r"\d", due), due
    frame = city_page(an_page, language)
    expect(frame.get_by_test_id("embed-total-due")).to_have_text(due)
    expect(frame.get_by_test_id("embed-acting-party")).to_have_text("An Peeters")
    expect(frame.locator("html")).to_have_attribute("lang", language)
    expect(frame.locator("[data-testid=embed-newest] li")).to_have_count(5)
    an_page.screenshot(path=screenshot_dir / f"ptr-pas-city-{language}-{width}.png", full_page=True)


def test_a_dossier_link_in_the_frame_opens_the_dossier_in_the_top_window(an_page):
    frame = city_page(an_page, "nl")
    link = frame.locator("[data-testid=embed-newest] a").first
    href = link.get_attribute("href")
    link.click()
    expect(an_page).to_have_url(re.compile(re.escape(href) + "$"))
    assert len(an_page.frames) == 1  # the top window left the city page: no frame is left


def test_logged_out_the_frame_offers_the_login_in_the_top_window(page):
    frame = city_page(page, "fr")
    expect(frame.get_by_test_id("embed-total-due")).to_have_count(0)
    frame.get_by_test_id("embed-login").click()
    expect(page).to_have_url(re.compile(r"/fr/aanmelden/\?next=/fr/mijn/$"))


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_ptr_pas_fits_its_width_and_axe_finds_no_wcag_21_aa_violation(an_page, screenshot_dir, width):
    an_page.set_viewport_size({"width": width, "height": 900})
    response = an_page.goto("/nl/mijn/ptr-pas/")
    assert response is not None and response.ok
    assert scroll_width(an_page) <= width
    assert controls_outside(an_page, width=width) == []
    axe_check(an_page, name="ptr-pas", width=width, screenshot_dir=screenshot_dir)


def test_axe_finds_no_violation_on_the_logged_out_ptr_pas_nor_on_the_demo_city_page(page, screenshot_dir):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/de/mijn/ptr-pas/")
    # Two sentences and a link: fewer rules apply than check()'s "is the page empty?" floor of ten.
    page.screenshot(path=screenshot_dir / "ptr-pas-logged-out-360.png", full_page=True)
    results = axe.run(page, options=AXE_OPTIONS)
    assert len(results.response["passes"]) >= 5, "axe ran (almost) no rule"
    assert results.violations_count == 0, violations_report(results)
    city_page(page, "nl")
    axe_check(page, name="ptr-pas-demo-city", width=360, screenshot_dir=screenshot_dir)
