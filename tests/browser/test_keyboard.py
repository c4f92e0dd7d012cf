"""Keyboard alone (page.keyboard only, no clicks): skip link, filters, opening a dossier, visible focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import focus_problem, focused, tab, tab_until

pytestmark = pytest.mark.browser


def test_the_first_tab_on_the_overview_reaches_the_skip_link_which_moves_focus_to_main(an_page):
    an_page.goto("/nl/mijn/")
    info = tab(an_page)
    skip_link = an_page.get_by_role("link", name="Naar de inhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert info["href"] == "#main"

    an_page.keyboard.press("Enter")
    expect(an_page.locator("main")).to_be_focused()
    # The next Tab continues inside main, not back in the header.
    after = tab(an_page)
    assert an_page.evaluate("document.querySelector('main').contains(document.activeElement)"), after


def test_a_keyboard_user_filters_the_overview_and_opens_a_dossier(an_page):
    an_page.goto("/nl/mijn/")
    tab(an_page)
    an_page.keyboard.press("Enter")  # skip link
    kind = an_page.get_by_label("Soort")

    tab_until(an_page, lambda info: info["id"] == "id_kind")
    an_page.keyboard.press("ArrowDown")  # "Alle" → Parkeerretributie
    an_page.keyboard.press("ArrowDown")  # → GAS 4-boete
    expect(kind).to_have_value("gas4")
    tab_until(an_page, lambda info: info["tag"] == "button" and "Toepassen" in info["description"])
    an_page.keyboard.press("Enter")

    expect(an_page).to_have_url(re.compile(r"[?&]kind=gas4(&|$)"))
    expect(an_page.get_by_label("Soort")).to_have_value("gas4")
    target = tab_until(an_page, lambda info: info["inTable"] and info["tag"] == "a", limit=80)
    an_page.keyboard.press("Enter")
    expect(an_page).to_have_url(re.compile(re.escape(target["href"]) + "$"))
    expect(an_page.get_by_role("heading", level=1)).to_contain_text("GAS 4-boete")


@pytest.mark.parametrize("name", ["home", "city", "overview", "dossier"])
def test_focus_is_visible_at_every_tab_stop_of_the_page(an_page, site_paths, name):
    an_page.goto(site_paths[name])
    stops = []
    for _ in range(150):
        an_page.keyboard.press("Tab")
        info = focused(an_page)
        if info is None or (stops and info["description"] == stops[0]["description"]):
            break  # focus left the page or came round again: every stop has been seen
        problem = focus_problem(info)
        assert problem is None, f"{site_paths[name]}, stop {len(stops) + 1}: {problem}"
        stops.append(info)
    assert len(stops) >= 5, f"only {len(stops)} tab stops on {site_paths[name]}"
