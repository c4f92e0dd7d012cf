"""The government login in Chromium against the real test OpenID provider (tests/oidc_provider): a
citizen sees their overview, a company's representative switches to the company and logs out (at the
provider too), a login without national number gets a clear page; one dossier opened without login; axe
on the new pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import OVERVIEW_URL, admin_login
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(oidc_provider, live_site):
    if oidc_provider is None:
        pytest.skip("the test OpenID provider needs Node.js (make install)")
    return oidc_provider


def government_login(page: Page, provider, *, user: str) -> None:
    page.goto("/nl/aanmelden/")
    page.get_by_role("button", name="Aanmelden bij de Vlaamse overheid").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + r"/interaction/"))
    page.get_by_role("button", name=f"Aanmelden als {user}").click()


def test_a_citizen_logs_in_with_the_government_login_and_sees_the_overview(page, provider, screenshot_dir):
    page.goto("/nl/aanmelden/")
    check(page, name="login", width=1280, screenshot_dir=screenshot_dir)

    government_login(page, provider, user="burger")

    expect(page).to_have_url(OVERVIEW_URL)
    expect(page.get_by_test_id("acting-party")).to_have_text("Jan Janssens")
    page.goto("/nl/mijn/contact/")
    expect(page.get_by_test_id("contact-email")).to_have_text("jan.janssens@example.org")
    expect(page.get_by_test_id("contact-status")).to_have_text("Nog niet bevestigd")
    check(page, name="contact-address", width=1280, screenshot_dir=screenshot_dir)


def test_a_representative_switches_to_the_company_and_logs_out_at_the_provider_too(
    page, provider, screenshot_dir
):
    government_login(page, provider, user="vertegenwoordiger")
    expect(page).to_have_url(OVERVIEW_URL)
    expect(page.get_by_test_id("acting-party")).to_have_text("Els Claes")

    page.get_by_role("link", name="Wisselen").click()
    page.get_by_role("button", name="Handelen als Bakkerij Claes BV").click()
    expect(page).to_have_url(OVERVIEW_URL)
    expect(page.get_by_test_id("acting-party")).to_have_text("Bakkerij Claes BV")
    expect(page.locator(".acting-bar")).to_contain_text("U handelt namens")

    page.get_by_role("button", name="Afmelden").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + r"/session/end"))
    page.get_by_role("button", name="Ja, afmelden").click()
    expect(page).to_have_url(re.compile(r"/nl/afgemeld/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent afgemeld")
    check(page, name="logged-out", width=1280, screenshot_dir=screenshot_dir)

    # The provider's session is over too: logging in again asks who logs in.
    page.goto("/nl/aanmelden/")
    page.get_by_role("button", name="Aanmelden bij de Vlaamse overheid").click()
    expect(page.get_by_role("button", name="Aanmelden als burger")).to_be_visible()


def test_a_login_without_national_number_gets_a_clear_page(page, provider, screenshot_dir):
    government_login(page, provider, user="zonder-rrn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden is niet gelukt")
    expect(page.locator("main")).to_contain_text("geen rijksregisternummer")
    check(page, name="no-national-number", width=1280, screenshot_dir=screenshot_dir)
    page.goto("/nl/mijn/")
    expect(page).to_have_url(re.compile(r"/nl/aanmelden/"))


def test_one_dossier_opens_with_the_letters_values_and_nothing_else(
    browser, live_site, an_page, an_dossier_path, screenshot_dir
):
    # What the letter says: the reference, the plate and the structured communication.
    an_page.goto(an_dossier_path)
    reference = an_dossier_path.rstrip("/").rsplit("/", 1)[1]
    plate = an_page.locator("dt:text-is('Nummerplaat') + dd").inner_text().split(",")[0]
    ogm = an_page.get_by_test_id("transfer-ogm").inner_text()

    context = browser.new_context(base_url=live_site.url, locale="nl-BE")
    page = context.new_page()
    page.goto("/nl/aanmelden/")
    page.get_by_role("link", name="Eén dossier openen met de gegevens op uw brief").click()
    check(page, name="guest-access", width=1280, screenshot_dir=screenshot_dir)
    page.get_by_label("Referentie van het dossier").fill(reference)
    page.get_by_label("Nummerplaat").fill(plate)
    page.get_by_label("Laatste vier cijfers van de gestructureerde mededeling").fill(
        "0000" if ogm[-7:-3] != "0000" else "1111"
    )
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.get_by_test_id("guest-error")).to_be_visible()
    check(page, name="guest-access-refused", width=1280, screenshot_dir=screenshot_dir)

    digits = re.sub(r"\D", "", ogm)[-4:]
    page.get_by_label("Laatste vier cijfers van de gestructureerde mededeling").fill(digits)
    page.get_by_role("button", name="Dossier openen").click()
    expect(page).to_have_url(re.compile(re.escape(an_dossier_path) + "$"))
    expect(page.get_by_test_id("guest-dossier")).to_have_text(reference)
    check(page, name="guest-dossier", width=1280, screenshot_dir=screenshot_dir)

    page.goto("/nl/mijn/")
    expect(page).to_have_url(re.compile(r"/nl/aanmelden/\?next="))
    page.get_by_role("button", name="Dossier sluiten").click()
    expect(page).to_have_url(re.compile(r"/nl/afgemeld/$"))
    context.close()


def test_the_session_expired_page_passes_axe(page, screenshot_dir):
    page.goto("/nl/sessie-verlopen/?next=/nl/mijn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw sessie is verlopen")
    check(page, name="session-expired", width=1280, screenshot_dir=screenshot_dir)


def test_staff_log_in_with_password_and_the_demo_totp(page, screenshot_dir):
    page.goto("/beheer/login/")
    check(page, name="staff-login", width=1280, screenshot_dir=screenshot_dir)
    admin_login(page, username="beheerder", password="demo-beheerder")
    expect(page).to_have_url(re.compile(r"/beheer/$"))
