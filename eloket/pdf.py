"""PDF documents for citizens (payment receipts; later the letters sent by post), built with fpdf2.

A caller describes *what* the document says as a ``PdfDocument`` of blocks (headings, paragraphs,
label/value facts) and gets the PDF's bytes from ``pdf_render``; how it is laid out lives here only, so
every document the e-loket produces looks the same. The text comes in already translated (render it
inside ``translation.override``): this module translates nothing.

The DejaVu Sans font files in ``eloket/fonts/`` are embedded (subset) in every document: the PDF reads
the same on any reader and any printer, and covers the accents and the euro sign of nl/fr/en/de.
No side effects: nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
_MARGIN_MM = 20
_LABEL_WIDTH_MM = 60
_LINE_MM = 6


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Facts:
    """Label/value rows, like the ``<dl class="facts">`` of the web pages."""

    rows: Sequence[tuple[str, str]]


Block = Heading | Paragraph | Facts


@dataclass(frozen=True)
class PdfDocument:
    """One document: its title (first line and the PDF's metadata), its language (``nl``, ``fr`` …,
    stored in the PDF for screen readers), who issues it, and its blocks in reading order."""

    title: str
    language: str
    blocks: Sequence[Block]
    author: str = ""
    # Fixed in tests so that two renderings of the same document are the same bytes.
    created_at: datetime | None = field(default=None, compare=False)


def pdf_render(document: PdfDocument) -> bytes:
    """The document as PDF bytes (A4, fonts embedded)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN_MM)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(document.title)
    pdf.set_lang(document.language)
    pdf.set_creator("e-loket")
    if document.author:
        pdf.set_author(document.author)
    pdf.set_creation_date(document.created_at or datetime.now(tz=UTC))
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in document.blocks:
        _draw(pdf, block)
    return bytes(pdf.output())


def _draw(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Heading):
        pdf.ln(3)
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    elif isinstance(block, Paragraph):
        pdf.set_font(FONT, "", 9 if block.small else 11)
        pdf.multi_cell(0, _LINE_MM if not block.small else 5, block.text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    else:
        for label, value in block.rows:
            top = pdf.get_y()
            pdf.set_font(FONT, "B", 11)
            label_lines = pdf.multi_cell(_LABEL_WIDTH_MM, _LINE_MM, label, dry_run=True, output="LINES")
            if top + len(label_lines) * _LINE_MM > pdf.page_break_trigger:
                pdf.add_page()
                top = pdf.get_y()
            pdf.multi_cell(_LABEL_WIDTH_MM, _LINE_MM, label, new_x="RIGHT", new_y="TOP")
            pdf.set_font(FONT, "", 11)
            pdf.multi_cell(0, _LINE_MM, value, new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(max(pdf.get_y(), top + len(label_lines) * _LINE_MM) + 1)
        pdf.ln(2)
