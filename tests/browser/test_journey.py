"""The issue's journey: demo login → overview → filter → dossier → French → company."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from eloket.constants import DossierKind, DossierStatus
from eloket.demo import AN_DOSSIERS, COMPANY_DOSSIERS
from forms.demo_triage import SUBMISSIONS as TRIAGE_SUBMISSIONS
from tests.browser.steps import (
    FRENCH_MONTH,
    OVERVIEW_URL,
    column_texts,
    demo_login,
    dossier_rows,
    language_link,
)

pytestmark = pytest.mark.browser

GAS4_LABEL = "GAS 4-boete (stilstaan en parkeren)"
COMPANY = "Limburg Logistiek NV"


def test_a_citizen_finds_a_fine_reads_it_in_french_and_a_representative_acts_for_his_company(page):
    demo_login(page, name="An Peeters")
    overview_shows_several_municipalities(page)
    filter_by_kind_gas4(page)
    reference = open_the_fine_to_pay_in_genk(page)
    read_it_in_french_and_come_back(page, reference=reference)

    page.locator("header").get_by_role("button", name="Afmelden").click()
    expect(page).to_have_url(re.compile(r"/nl/$"))
    demo_login(page, name="Bart Claes")
    act_for_the_company(page)


def overview_shows_several_municipalities(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn dossiers")
    # Newest first by the date each row shows: the oldest dossiers (Vilvoorde's among them) are on the
    # next page, which the citizen reaches by the pagination link.
    municipalities = set(column_texts(page, "Gemeente"))
    assert {"Genk", "Antwerpen", "Hasselt", "Mechelen"} <= municipalities, municipalities
    pagination = page.get_by_role("navigation", name="Paginering")
    pagination.get_by_role("link", name="Volgende pagina").click()
    expect(page).to_have_url(re.compile(r"[?&]pagina=2(&|$)"))
    assert "Vilvoorde" in set(column_texts(page, "Gemeente"))
    page.get_by_role("navigation", name="Paginering").get_by_role("link", name="Vorige pagina").click()
    expect(page).to_have_url(re.compile(r"[?&]pagina=1(&|$)"))


def filter_by_kind_gas4(page: Page) -> None:
    page.get_by_label("Soort").select_option(label=GAS4_LABEL)
    page.get_by_role("button", name="Toepassen").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=gas4(&|$)"))
    expected = sum(1 for spec in AN_DOSSIERS if spec.kind == DossierKind.GAS4)
    expect(dossier_rows(page)).to_have_count(expected)
    assert set(column_texts(page, "Soort")) == {GAS4_LABEL}
    expect(page.get_by_label("Soort")).to_have_value("gas4")
    expect(page.get_by_role("link", name="Filters wissen")).to_be_visible()


def open_the_fine_to_pay_in_genk(page: Page) -> str:
    row = dossier_rows(page).filter(has_text="Genk").filter(has_text=str(DossierStatus.NOTIFIED.label))
    expect(row).to_have_count(1)
    link = row.get_by_role("link")
    reference = link.inner_text().strip()
    link.click()
    expect(page).to_have_url(re.compile(rf"/nl/mijn/dossiers/{reference}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{GAS4_LABEL} {reference}")
    expect(page.get_by_test_id("amount-due")).to_have_text(re.compile(r"€ \d+,\d\d"))
    expect(page.locator("main")).to_contain_text("Stad Genk")
    return reference


def read_it_in_french_and_come_back(page: Page, *, reference: str) -> None:
    language_link(page, "fr").click()
    expect(page).to_have_url(re.compile(rf"/fr/mijn/dossiers/{reference}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(language_link(page, "fr")).to_have_attribute("aria-current", "true")
    # The interface (locale/fr), the organisation's name (the model's name_fr) and dates (Django's own
    # French formats) all switch.
    expect(page.get_by_role("heading", name="Les faits")).to_be_visible()
    expect(page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link")).to_have_text(
        "Mes dossiers"
    )
    expect(page.locator("main")).to_contain_text("Ville de Genk")
    expect(page.locator(".timeline time").first).to_have_text(FRENCH_MONTH)

    language_link(page, "nl").click()
    expect(page).to_have_url(re.compile(rf"/nl/mijn/dossiers/{reference}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Mijn dossiers").click()
    expect(page).to_have_url(OVERVIEW_URL)


def act_for_the_company(page: Page) -> None:
    own_references = column_texts(page, "Dossier")
    assert own_references, "Bart Claes has dossiers of his own in the demo"

    page.locator(".acting-bar").get_by_role("link", name="Wisselen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voor wie handelt u?")
    page.get_by_role("button", name=f"Handelen als {COMPANY}").click()

    expect(page).to_have_url(OVERVIEW_URL)
    expect(page.locator(".acting-bar")).to_contain_text(f"U handelt namens {COMPANY}")
    expect(page.get_by_test_id("acting-party")).to_have_text(COMPANY)
    # The company's dossiers, and those the clerk-side demo made for its submissions (forms.demo_triage).
    triage_dossiers = sum(1 for spec in TRIAGE_SUBMISSIONS if spec.kind)
    expect(dossier_rows(page)).to_have_count(len(COMPANY_DOSSIERS) + triage_dossiers)
    shown = set(column_texts(page, "Dossier"))
    assert not shown & set(own_references), "the company's overview shows Bart's own dossiers"
