"""Paying in the browser: Bancontact on the Stripe stand-in's hosted page, abandoning and resuming, and a
GAS fine paid by bank transfer that a clerk's CODA upload marks paid. axe-core on the payment pages.

Each test takes a different one of An Peeters' open dossiers, so the other browser tests (which use her
GAS 4 fine in Genk) still find theirs unpaid.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from eloket.payments.coda_build import Credit, coda_statement
from tests.browser.steps import admin_login, reload_until
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

STATUS_PAGE = re.compile(r"/nl/mijn/betalingen/BET-[\w]+/(\?afgebroken=1)?$")
CHECKOUT_PAGE = re.compile(r"/checkout/pay/cs_test_\w+$")


def open_dossier(page: Page, query: str) -> str:
    page.goto(f"/nl/mijn/?{query}")
    links = page.locator(".dossier-table tbody a")
    expect(links).to_have_count(1)
    reference = links.first.inner_text().strip()
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    return reference


def go_to_checkout(page: Page) -> None:
    page.locator("#amount-title").locator("..").get_by_role("link", name="Betalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Online betalen")
    page.get_by_role("button", name="Verder naar de betaalpagina").click()
    expect(page).to_have_url(CHECKOUT_PAGE)


def test_a_citizen_pays_a_retribution_by_bancontact_contests_it_and_is_refunded_when_upheld(
    an_page, browser, live_site, screenshot_dir
):
    reference = open_dossier(an_page, "kind=parking_retribution&status=notified")
    go_to_checkout(an_page)
    an_page.get_by_role("button", name="Betalen met Bancontact").click()
    expect(an_page).to_have_url(STATUS_PAGE)
    # The return page waits for the verified webhook; its script swaps in the result.
    expect(an_page.get_by_test_id("payment-result")).to_have_text("Betaling geslaagd")
    check(an_page, name="payment-succeeded", width=1280, screenshot_dir=screenshot_dir)
    an_page.get_by_role("link", name=reference).click()
    expect(an_page.locator("p .status").first).to_have_text("Betaald")
    expect(an_page.get_by_test_id("payment-list")).to_contain_text("Geslaagd")
    expect(an_page.get_by_role("link", name="Betalen")).to_have_count(0)
    contest_paid_dossier_and_see_the_refund_when_upheld(an_page, browser, live_site, dossier=reference)


def contest_paid_dossier_and_see_the_refund_when_upheld(an_page: Page, browser, live_site, *, dossier: str):
    """A paid retribution may still be contested; upheld, the money goes back through the stand-in."""
    an_page.get_by_role("link", name="Bezwaar indienen").click()
    an_page.get_by_label("Ik had een geldig parkeerticket").check()
    an_page.locator("textarea[name=message]").fill("Ik had een geldig ticket en betaalde toch.")
    an_page.locator("form.citizen-form button[type=submit]").click()
    submission = an_page.get_by_test_id("submission-reference").inner_text().strip()

    clerk = browser.new_context(base_url=live_site.url, locale="nl-BE").new_page()
    admin_login(clerk, username="behandelaar-genk", password="demo-behandelaar")
    clerk.goto(f"/beheer/inzendingen/{submission}/")
    clerk.locator("input[name=decision][value=upheld]").check()
    clerk.locator("textarea[name=motivation]").fill("Het ticket was geldig.")
    clerk.get_by_role("button", name="Beslissing versturen").click()
    expect(clerk.locator(".messages")).to_be_visible()
    clerk.context.close()

    an_page.goto(f"/nl/mijn/dossiers/{dossier}/")
    expect(an_page.locator("p .status").first).to_have_text("Geannuleerd")
    # The refund is made by the worker and confirmed by the stand-in's webhook: reload until it shows.
    refund = an_page.get_by_test_id("refund")
    reload_until(an_page, lambda: refund.count() and "Uitgevoerd" in refund.first.inner_text())
    expect(refund.first).to_contain_text("Uitgevoerd")


def test_a_citizen_abandons_a_payment_and_resumes_it(an_page):
    reference = open_dossier(an_page, "kind=parking_retribution&status=reminded")
    go_to_checkout(an_page)
    first_checkout = an_page.url
    an_page.get_by_role("button", name="Annuleren en terug").click()
    expect(an_page).to_have_url(STATUS_PAGE)
    expect(an_page.get_by_test_id("payment-result")).to_have_text("U hebt de betaling nog niet afgerond")
    an_page.goto(f"/nl/mijn/dossiers/{reference}/")
    expect(an_page.get_by_test_id("payment-unfinished")).to_be_visible()
    an_page.get_by_test_id("payment-unfinished").get_by_role("link").click()
    an_page.get_by_role("button", name="Verder met betalen").click()
    expect(an_page).to_have_url(first_checkout)  # the same session, not a second payment
    an_page.get_by_role("button", name="Betalen met kaart").click()
    expect(an_page.get_by_test_id("payment-result")).to_have_text("Betaling geslaagd")


def test_a_gas_fine_paid_by_transfer_is_marked_paid_when_the_clerk_imports_the_coda_file(
    an_page, browser, live_site, tmp_path, screenshot_dir
):
    reference = open_dossier(an_page, "kind=gas5&status=notified")
    ogm = an_page.get_by_test_id("transfer-ogm").inner_text()
    iban = an_page.get_by_test_id("transfer-iban").inner_text().replace(" ", "")
    amount = an_page.get_by_test_id("amount-due").inner_text()
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", ogm), ogm
    expect(an_page.locator(".transfer__qr img")).to_be_visible()
    check(an_page, name="dossier-transfer", width=360, screenshot_dir=screenshot_dir)
    cents = int(re.sub(r"\D", "", amount))
    statement = tmp_path / "uittreksel.cod"
    credit = Credit(cents, ogm=re.sub(r"\D", "", ogm))
    statement.write_bytes(
        coda_statement(iban=iban, credits=[credit], day=dt.date.today(), statement_number=7)
    )

    clerk = browser.new_context(base_url=live_site.url, locale="nl-BE")
    admin = clerk.new_page()
    admin_login(admin, username="beheerder", password="demo-beheerder")
    admin.goto("/beheer/eloket/coda/")
    admin.get_by_label("Organisatie").select_option(label="GAS-verwerkingscel Genk")
    admin.get_by_label("CODA-bestand").set_input_files(str(statement))
    admin.get_by_role("button", name="Inlezen").click()
    expect(admin.get_by_test_id("coda-result")).to_contain_text("1 gekoppeld aan een dossier")
    clerk.close()

    # The matched movement is booked by the worker after the import commits: reload until it is.
    an_page.goto(f"/nl/mijn/dossiers/{reference}/")
    status = an_page.locator("p .status").first
    reload_until(an_page, lambda: status.inner_text().strip() == "Betaald")
    expect(status).to_have_text("Betaald")
    expect(an_page.get_by_test_id("payment-list")).to_contain_text("Overschrijving")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_axe_finds_no_violation_on_the_pay_page_and_an_open_payment(an_page, screenshot_dir, width):
    an_page.set_viewport_size({"width": width, "height": 900})
    # Her GAS 4 fine with a reminder (Mechelen): no other browser test pays or contests it.
    open_dossier(an_page, "kind=gas4&status=reminded")
    an_page.locator("#amount-title").locator("..").get_by_role("link", name="Betalen").click()
    check(an_page, name="pay", width=width, screenshot_dir=screenshot_dir)
    an_page.get_by_role("button", name="Verder naar de betaalpagina").click()
    expect(an_page).to_have_url(CHECKOUT_PAGE)
    an_page.get_by_role("button", name="Annuleren en terug").click()
    expect(an_page.get_by_test_id("payment-result")).to_be_visible()
    check(an_page, name="payment-open", width=width, screenshot_dir=screenshot_dir)
