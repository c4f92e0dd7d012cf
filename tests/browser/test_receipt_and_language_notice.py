"""The receipt in the browser (page, print stylesheet, PDF read back with pypdf) and the notice the
language switch shows on a page without a translation; axe-core on both, screenshots for a human look.

Bart Claes pays his own open retribution in Hasselt: no other browser test uses that one.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.steps import demo_login, language_link
from tests.browser.test_accessibility import check

pytestmark = pytest.mark.browser

RECEIPT_PAGE = re.compile(r"/nl/mijn/betalingen/BET-\w+/ontvangstbewijs/$")
ENTERPRISE_NUMBER = re.compile(r"^[01]\d{3}\.\d{3}\.\d{3}$")


def pay_by_bancontact(page: Page) -> str:
    page.goto("/nl/mijn/?kind=parking_retribution&status=notified")
    links = page.locator(".dossier-table tbody a")
    expect(links).to_have_count(1)
    reference = links.first.inner_text().strip()
    links.first.click()
    page.locator("#amount-title").locator("..").get_by_role("link", name="Betalen").click()
    page.get_by_role("button", name="Verder naar de betaalpagina").click()
    page.get_by_role("button", name="Betalen met Bancontact").click()
    expect(page.get_by_test_id("payment-result")).to_have_text("Betaling geslaagd")
    return reference


def test_a_paid_dossier_has_a_receipt_to_read_print_and_download(page, screenshot_dir):
    demo_login(page, name="Bart Claes")
    dossier = pay_by_bancontact(page)

    page.get_by_test_id("receipt-link").click()
    expect(page).to_have_url(RECEIPT_PAGE)
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_role("heading", level=1)).to_contain_text("Ontvangstbewijs van betaling BET-")
    expect(page.get_by_test_id("receipt-method")).to_have_text("Bancontact")
    expect(page.get_by_test_id("receipt-organisation")).to_have_text("Stad Hasselt")
    expect(page.get_by_test_id("receipt-enterprise-number")).to_have_text(ENTERPRISE_NUMBER)
    expect(page.get_by_test_id("receipt-dossiers")).to_contain_text(dossier)
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()  # its script ran
    check(page, name="receipt", width=1280, screenshot_dir=screenshot_dir)

    page.emulate_media(media="print")
    expect(page.locator(".language-switcher")).to_be_hidden()
    expect(page.get_by_role("button", name="Afdrukken")).to_be_hidden()
    page.screenshot(path=screenshot_dir / "receipt-print.png", full_page=True)
    page.emulate_media(media="screen")

    response = page.request.get(page.get_by_test_id("receipt-pdf").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert dossier in text and "Bancontact" in text and "Stad Hasselt" in text

    # The dossier page links to it too.
    page.goto(f"/nl/mijn/dossiers/{dossier}/")
    page.get_by_test_id("receipt-links").get_by_role("link", name=re.compile("^Ontvangstbewijs")).click()
    expect(page).to_have_url(RECEIPT_PAGE)


@pytest.mark.parametrize(("path", "code"), [("/nl/hasselt/", "fr"), ("/nl/genk/", "de")])
def test_switching_to_a_language_the_page_lacks_keeps_the_page_with_a_notice(
    page, screenshot_dir, path, code
):
    page.goto(path)
    title = page.get_by_role("heading", level=1).inner_text()

    language_link(page, code).click()

    expect(page).to_have_url(re.compile(rf"{re.escape(path)}\?taal={code}$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    notice = page.get_by_test_id("untranslated-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("lang", code)
    check(page, name=f"untranslated-notice-{code}", width=1280, screenshot_dir=screenshot_dir)
    page.set_viewport_size({"width": 360, "height": 900})
    check(page, name=f"untranslated-notice-{code}", width=360, screenshot_dir=screenshot_dir)
