"""StreamField blocks shared by the city and information pages.

Each block renders through its own template under ``home/templates/home/blocks/``; anything a template
would have to compute (formatted amounts, resolved URLs) is a property on the block's value class.
Top-level block headings are ``h2``: the page title is the only ``h1``.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from home.constants import CALLOUT_TONE_HEADINGS, ELOKET_TARGET_URL_NAMES, CalloutTone, EloketTarget

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


def format_euros(amount: Decimal) -> str:
    """``€ 1.234,50`` in the active language's number format (amounts on pages are euros, not cents)."""
    return f"€ {number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}"


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Tekst")
        template = "home/blocks/rich_text.html"


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Vraag"), max_length=255)
    answer = blocks.RichTextBlock(label=_("Antwoord"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "help"
        label = _("Vraag en antwoord")


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Titel"), max_length=120)
    items = blocks.ListBlock(FaqItemBlock(), label=_("Vragen"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Veelgestelde vragen")
        template = "home/blocks/faq.html"


class TariffRowValue(blocks.StructValue):
    @property
    def amount_display(self) -> str:
        return format_euros(self.get("amount") or Decimal("0"))


class TariffRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Omschrijving"), max_length=200)
    amount = blocks.DecimalBlock(label=_("Bedrag (euro)"), min_value=0, max_digits=9, decimal_places=2)
    note = blocks.CharBlock(label=_("Opmerking"), max_length=255, required=False)

    class Meta:
        icon = "list-ul"
        label = _("Tariefregel")
        value_class = TariffRowValue


class TariffTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(
        label=_("Titel van de tabel"),
        max_length=200,
        help_text=_("Wordt het bijschrift van de tabel: zeg waarover de tarieven gaan."),
    )
    rows = blocks.ListBlock(TariffRowBlock(), label=_("Regels"), min_num=1)
    source_note = blocks.CharBlock(
        label=_("Bron of reglement"),
        max_length=255,
        required=False,
        help_text=_("Bijvoorbeeld het reglement."),
    )

    class Meta:
        icon = "table"
        label = _("Tarieventabel")
        template = "home/blocks/tariff_table.html"


class ContactValue(blocks.StructValue):
    @property
    def phone_href(self) -> str:
        digits = "".join(char for char in self.get("phone") or "" if char.isdigit() or char == "+")
        return f"tel:{digits}"


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Naam van de dienst"), max_length=120)
    phone = blocks.CharBlock(label=_("Telefoon"), max_length=32, required=False)
    email = blocks.EmailBlock(label=_("E-mail"), required=False)
    address = blocks.TextBlock(label=_("Adres"), required=False)
    opening_hours = blocks.TextBlock(label=_("Openingsuren"), required=False)

    class Meta:
        icon = "mail"
        label = _("Contact")
        template = "home/blocks/contact.html"
        value_class = ContactValue


class CalloutValue(blocks.StructValue):
    @property
    def tone_label(self) -> str:
        return str(CALLOUT_TONE_HEADINGS[CalloutTone(self.get("tone"))])


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(label=_("Soort"), choices=CalloutTone.choices, default=CalloutTone.INFO)
    text = blocks.RichTextBlock(label=_("Tekst"), features=["bold", "italic", "link"])

    class Meta:
        icon = "warning"
        label = _("In de kijker")
        template = "home/blocks/callout.html"
        value_class = CalloutValue


class EloketLinkValue(blocks.StructValue):
    @property
    def url(self) -> str:
        """Resolved when rendered, so the link follows the active language prefix (/nl/, /fr/ …)."""
        return reverse(ELOKET_TARGET_URL_NAMES[EloketTarget(self.get("target"))])


class EloketLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Linktekst"), max_length=80)
    target = blocks.ChoiceBlock(label=_("Bestemming"), choices=EloketTarget.choices)
    text = blocks.CharBlock(label=_("Uitleg bij de link"), max_length=255, required=False)

    class Meta:
        icon = "link"
        label = _("Link naar het e-loket")
        template = "home/blocks/eloket_link.html"
        value_class = EloketLinkValue


class ContentBlock(blocks.StreamBlock):
    """The blocks an editor can use on home, city and information pages."""

    rich_text = RichTextBlock()
    faq = FaqBlock()
    tariff_table = TariffTableBlock()
    contact = ContactBlock()
    callout = CalloutBlock()
    eloket_link = EloketLinkBlock()
