"""eloket.pdf: what goes in as blocks comes out as text a PDF reader finds, in embedded fonts."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from eloket.pdf import Facts, Heading, Paragraph, PdfDocument, pdf_render

FIXED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def document(**changes) -> PdfDocument:
    values = {
        "title": "Reçu de paiement",
        "language": "fr",
        "blocks": [
            Heading("Überweisung"),
            Facts([("Montant", "€ 58,00"), ("Un libellé assez long pour aller à la ligne", "Genk")]),
            Paragraph("Één ça ü ß œ €"),
        ],
        "author": "Stad Genk",
        "created_at": FIXED,
    }
    values.update(changes)
    return PdfDocument(**values)


def test_the_text_of_every_block_is_found_by_a_pdf_reader_with_its_accents_and_the_euro_sign():
    reader = PdfReader(io.BytesIO(pdf_render(document())))
    text = reader.pages[0].extract_text()
    for expected in ("Reçu de paiement", "Überweisung", "Montant", "€ 58,00", "Genk", "Één ça ü ß œ €"):
        assert expected in text, expected
    assert reader.metadata.title == "Reçu de paiement"
    assert reader.metadata.author == "Stad Genk"
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_fonts_are_embedded_so_the_document_prints_the_same_everywhere():
    reader = PdfReader(io.BytesIO(pdf_render(document())))
    fonts = list(reader.pages[0]["/Resources"]["/Font"].values())
    assert fonts
    for font in fonts:
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "DejaVuSans" in descendant["/BaseFont"]
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_a_long_document_goes_on_to_a_second_page():
    rows = [(f"Dossier {number}", "€ 20,00") for number in range(80)]
    reader = PdfReader(io.BytesIO(pdf_render(document(blocks=[Facts(rows)]))))
    assert len(reader.pages) >= 2
    assert "Dossier 79" in reader.pages[-1].extract_text()


def test_the_same_document_gives_the_same_bytes():
    assert pdf_render(document()) == pdf_render(document())
