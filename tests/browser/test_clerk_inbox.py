"""The clerk's inbox as a clerk with an English browser meets it: in Dutch (the admin's default), the
filter fields in sight and working, a submission's language as a word and each file's scan status
explained; axe-core on both pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.steps import admin_login
from tests.browser.test_accessibility import check as axe_check

pytestmark = pytest.mark.browser


def test_a_clerk_with_an_english_browser_filters_the_inbox_in_dutch(
    browser: Browser, live_site, screenshot_dir
):
    context = browser.new_context(
        base_url=live_site.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    page = context.new_page()
    admin_login(page, username="behandelaar-genk", password="demo-behandelaar")

    page.goto("/beheer/inzendingen/?status=")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzendingen")
    filters = page.get_by_role("form", name="Filteren en zoeken")
    expect(filters.get_by_label("Zoeken")).to_be_visible()
    expect(filters.get_by_label("Doel")).to_be_visible()
    axe_check(page, name="clerk-inbox", width=1280, screenshot_dir=screenshot_dir)

    rows = page.locator("table.eloket-inbox tbody tr")
    first_reference = rows.first.get_by_role("link").first.inner_text().strip()
    assert rows.count() >= 1
    filters.get_by_label("Zoeken").fill(first_reference)
    filters.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(rf"[?&]q={first_reference}(&|$)"))
    expect(page.locator("table.eloket-inbox tbody tr")).to_have_count(1)
    expect(filters.get_by_label("Zoeken")).to_have_value(first_reference)

    page.locator("table.eloket-inbox tbody tr").get_by_role("link", name=first_reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first_reference)
    main = page.locator("main")
    expect(main).to_contain_text(re.compile(r"Taal\s*(Nederlands|Frans|Engels|Duits)"))
    expect(main).not_to_contain_text(re.compile(r"\b(True|False)\b"))
    for note in page.get_by_test_id("scan-explained").all():
        expect(note).to_contain_text(re.compile(r"^(Niet gescand|Geen virus gevonden|Virus gevonden)"))
    axe_check(page, name="clerk-submission", width=1280, screenshot_dir=screenshot_dir)
    context.close()
