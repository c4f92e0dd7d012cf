"""Issue 17: the status of every dossier at a glance (group colour, icon and text) on the overview, and the
decision on a defence at the top of the dossier page; axe-core finds no WCAG 2.1 AA violation on either,
and both are photographed for a human look."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import demo_login
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

COMPANY = "Limburg Logistiek NV"


def test_the_overview_shows_each_status_with_its_group_icon_and_text(an_page, screenshot_dir):
    an_page.goto("/nl/mijn/")
    badges = an_page.locator(".dossier-table .badge")
    expect(badges.first).to_be_visible()
    groups = set(badges.evaluate_all("els => els.map(e => e.dataset.statusGroup)"))
    assert {"act_now", "done"} <= groups, groups
    first = badges.first
    expect(first.locator("svg")).to_have_attribute("aria-hidden", "true")
    expect(first.locator(".status")).not_to_be_empty()
    expect(an_page.locator('.badge[data-status-group="act_now"]').first).to_contain_text("Actie nodig")
    for width in (1280, 360):
        an_page.set_viewport_size({"width": width, "height": 900})
        check(an_page, name="issue17-overview", width=width, screenshot_dir=screenshot_dir)


def test_a_decided_defence_shows_the_decision_at_the_top_of_the_dossier(page, screenshot_dir):
    demo_login(page, name="Bart Claes")
    page.goto("/nl/mijn/handelen-als/")
    page.get_by_role("button", name=f"Handelen als {COMPANY}").click()
    page.goto("/nl/mijn/?kind=gas4&status=cancelled")
    page.locator(".dossier-table tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/nl/mijn/dossiers/[^/]+/$"))
    decision = page.get_by_test_id("decision")
    expect(decision).to_be_visible()
    expect(decision.get_by_role("heading", level=2)).to_have_text("Beslissing over uw verweer")
    expect(page.get_by_test_id("decision-outcome")).to_have_text("Gegrond")
    expect(page.get_by_test_id("decision-motivation")).to_contain_text("verkoopcontract")
    expect(page.get_by_test_id("decision-next")).to_contain_text("de boete is geannuleerd")
    expect(page.locator("p .badge")).to_have_attribute("data-status-group", "cancelled")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        check(page, name="issue17-decided-dossier", width=width, screenshot_dir=screenshot_dir)
