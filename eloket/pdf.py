"""PDF documents for citizens (payment receipts, the letters sent by post), built with fpdf2.

A caller describes *what* the document says as a ``PdfDocument`` of blocks (headings, paragraphs,
label/value facts) and gets the PDF's bytes from ``pdf_render``; how it is laid out lives here only, so
every document the e-loket produces looks the same. The text comes in already translated (render it
inside ``translation.override``): this module translates nothing.

The DejaVu Sans font files in ``eloket/fonts/`` are embedded (subset) in every document: the PDF reads
the same on any reader and any printer. They are DejaVu Sans cut down to the Latin scripts (Latin-1,
Latin Extended A/B and Additional: every accent of nl/fr/en/de and of names from elsewhere in Europe),
general punctuation and the euro sign, made with fontTools::

    pyftsubset DejaVuSans.ttf --unicodes="U+0020-007E,U+00A0-024F,U+02C6-02DD,U+1E00-1EFF,U+2000-206F,\
      U+20AC,U+2122,U+2190-2193,U+2212,U+FFFD" --layout-features='kern,liga' --no-hinting \
      --output-file=DejaVuSans-Latin.ttf

A tenth of the full font's size, so reading and subsetting it for each letter costs a tenth too
(docs/letters.md, "Speed").
No side effects: nothing is written to disk.
"""

from __future__ import annotations

import io
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


@dataclass(frozen=True)
class Address:
    """The recipient's address where a window envelope shows it (right-hand side, 5 cm from the top of
    the page, as bpost's DL and C5 windows), the sender's in small type above it. Draw it first."""

    lines: Sequence[str]
    sender: Sequence[str] = ()


@dataclass(frozen=True)
class Image:
    """A picture (PNG bytes: the EPC QR code of a transfer) with a caption beside it."""

    png: bytes
    caption: str = ""
    size_mm: float = 35


@dataclass(frozen=True)
class PageBreak:
    """Go on on a new page (the Dutch official text after a translated letter)."""


Block = Heading | Paragraph | Facts | Address | Image | PageBreak


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
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans-Latin.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold-Latin.ttf"))
    pdf.set_title(document.title)
    pdf.set_lang(document.language)
    pdf.set_creator("e-loket")
    if document.author:
        pdf.set_author(document.author)
    pdf.set_creation_date(document.created_at or datetime.now(tz=UTC))
    pdf.add_page()
    blocks = list(document.blocks)
    if blocks and isinstance(blocks[0], Address):
        _draw_address(pdf, blocks.pop(0))
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, document.title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    for block in blocks:
        _draw(pdf, block)
    return bytes(pdf.output())


_WINDOW_X_MM, _WINDOW_Y_MM, _WINDOW_W_MM = 110, 50, 85


def _draw_address(pdf: FPDF, block: Address) -> None:
    pdf.set_font(FONT, "", 8)
    pdf.set_xy(_WINDOW_X_MM, _WINDOW_Y_MM - 8)
    pdf.cell(_WINDOW_W_MM, 4, " · ".join(block.sender)[:90], new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(FONT, "", 11)
    pdf.set_y(_WINDOW_Y_MM)
    for line in block.lines:
        pdf.set_x(_WINDOW_X_MM)
        pdf.cell(_WINDOW_W_MM, 5.5, line, new_x="LMARGIN", new_y="NEXT", align="L")
    # The letter itself starts under the window.
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), _WINDOW_Y_MM + 35))


def _draw(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Heading):
        pdf.ln(3)
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    elif isinstance(block, PageBreak):
        pdf.add_page()
    elif isinstance(block, Image):
        if pdf.get_y() + block.size_mm > pdf.page_break_trigger:
            pdf.add_page()
        top, left = pdf.get_y(), pdf.l_margin
        pdf.image(io.BytesIO(block.png), x=left, y=top, w=block.size_mm, h=block.size_mm)
        if block.caption:
            pdf.set_font(FONT, "", 10)
            pdf.set_xy(left + block.size_mm + 5, top + 2)
            pdf.multi_cell(0, 5, block.caption, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_y(top + block.size_mm + 3)
    elif isinstance(block, Address):
        raise ValueError("an Address block goes first in the document")
    elif isinstance(block, Paragraph):
        pdf.set_font(FONT, "", 9 if block.small else 11)
        pdf.multi_cell(
            0, _LINE_MM if not block.small else 5, block.text, new_x="LMARGIN", new_y="NEXT", align="L"
        )
        pdf.ln(2)
    else:
        for label, value in block.rows:
            top = pdf.get_y()
            pdf.set_font(FONT, "B", 11)
            label_lines = pdf.multi_cell(
                _LABEL_WIDTH_MM, _LINE_MM, label, dry_run=True, output="LINES", align="L"
            )
            if top + len(label_lines) * _LINE_MM > pdf.page_break_trigger:
                pdf.add_page()
                top = pdf.get_y()
            pdf.multi_cell(_LABEL_WIDTH_MM, _LINE_MM, label, new_x="RIGHT", new_y="TOP", align="L")
            pdf.set_font(FONT, "", 11)
            pdf.multi_cell(0, _LINE_MM, value, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.set_y(max(pdf.get_y(), top + len(label_lines) * _LINE_MM) + 1)
        pdf.ln(2)
