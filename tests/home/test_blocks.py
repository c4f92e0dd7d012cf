from decimal import Decimal

import pytest
from django.utils import translation

from home.blocks import ContentBlock


def render(block_type: str, value: dict, language: str = "nl") -> str:
    stream = ContentBlock().to_python([{"type": block_type, "value": value}])
    with translation.override(language):
        return stream[0].render()


TARIFFS = {
    "caption": "Parkeerretributie in Genk",
    "rows": [
        {"label": "Dagtarief", "amount": "20.00", "note": "per dag"},
        {"label": "Bewonerskaart vanaf de derde", "amount": "1250.5", "note": ""},
    ],
    "source_note": "Retributiereglement parkeren",
}


def test_tariff_table_has_a_caption_and_scoped_headers():
    html = render("tariff_table", TARIFFS)

    assert "<caption>Parkeerretributie in Genk</caption>" in html
    assert html.count('<th scope="col"') == 3
    assert '<th scope="row">Dagtarief</th>' in html
    assert "Retributiereglement parkeren" in html


def test_tariff_amounts_are_euros_in_the_number_format_of_the_language():
    assert "€ 20,00" in render("tariff_table", TARIFFS, "nl")
    assert "€ 1.250,50" in render("tariff_table", TARIFFS, "nl")
    assert "€ 1,250.50" in render("tariff_table", TARIFFS, "en")


def test_tariff_amount_is_kept_as_a_decimal():
    stream = ContentBlock().to_python([{"type": "tariff_table", "value": TARIFFS}])

    assert stream[0].value["rows"][0]["amount"] == Decimal("20.00")


def test_faq_renders_questions_as_details_and_summary_under_a_heading():
    html = render(
        "faq",
        {
            "heading": "Veelgestelde vragen",
            "items": [{"question": "Hoeveel tijd heb ik?", "answer": "<p>30 dagen.</p>"}],
        },
    )

    assert "<h2>Veelgestelde vragen</h2>" in html
    assert "<summary>Hoeveel tijd heb ik?</summary>" in html
    assert "<p>30 dagen.</p>" in html


def test_callout_names_its_tone_in_words_not_only_in_colour():
    html = render("callout", {"tone": "warning", "text": "<p>Betaal op tijd.</p>"})

    assert "callout--warning" in html
    assert "Let op" in html


def test_contact_block_links_phone_and_email():
    html = render(
        "contact",
        {
            "name": "GAS-dienst",
            "phone": "089 65 44 44",
            "email": "gas@genk.example",
            "address": "Stadsplein 1\n3600 Genk",
            "opening_hours": "",
        },
    )

    assert 'href="tel:089654444"' in html
    assert 'href="mailto:gas@genk.example"' in html
    assert "Stadsplein 1<br>3600 Genk" in html
    assert "Openingsuren" not in html


@pytest.mark.parametrize(
    ("target", "language", "url"),
    [("overview", "nl", "/nl/mijn/"), ("overview", "fr", "/fr/mijn/"), ("login", "en", "/en/aanmelden/")],
)
def test_eloket_link_resolves_its_target_in_the_active_language(target, language, url):
    html = render("eloket_link", {"label": "Mijn dossiers", "target": target, "text": ""}, language)

    assert f'href="{url}"' in html
