"""The receipt of a succeeded payment: what it proves (when, how, how much, for which dossiers, to
which organisation), the same on the printable page and in the PDF.

``receipt_build`` takes a payment already read through a selector scoped to the acting party
(``selectors.payment_receipt_get``); ``receipt_document`` describes the PDF for ``eloket.pdf``. Both run
in the language of the request: the organisation's name and the labels are taken in that language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from eloket.constants import PaymentChannel, labels
from eloket.identifiers import enterprise_number_display
from eloket.models import BankMovement, Payment
from eloket.money import format_eur
from eloket.ogm import ogm_display
from eloket.pdf import Facts, Heading, Paragraph, PdfDocument

DATETIME_FORMAT = "j F Y, H:i"


@dataclass(frozen=True)
class ReceiptLine:
    dossier_reference: str
    dossier_kind: str
    amount_cents: int


@dataclass(frozen=True)
class Receipt:
    reference: str
    paid_at: datetime
    channel: str
    method: str  # "bancontact", "card", "transfer" or "" (online, method not reported)
    ogm: str  # display form (+++123/4567/89002+++), bank transfers only
    value_date: date | None  # the bank's date of a transfer
    amount_cents: int
    refunded_cents: int
    lines: tuple[ReceiptLine, ...]
    organisation_name: str
    enterprise_number: str  # display form (0403.019.261), "" when the organisation has none
    organisation_address: str
    payer_name: str

    @property
    def method_label(self) -> str:
        if self.method == "bancontact":
            return "Bancontact"
        if self.method == "card":
            return _("Kaart")
        if self.channel == PaymentChannel.BANK_TRANSFER:
            if self.ogm:
                return _("Overschrijving met gestructureerde mededeling %(ogm)s") % {"ogm": self.ogm}
            return _("Overschrijving")
        return labels(PaymentChannel)[self.channel]


def receipt_build(payment: Payment) -> Receipt:
    """The receipt of a payment (scoped and known to have succeeded: see the selector)."""
    items = list(payment.items.all())
    ogm, value_date = "", None
    if payment.channel == PaymentChannel.BANK_TRANSFER:
        movement = BankMovement.objects.filter(payment=payment).only("ogm", "value_date").first()
        if movement is not None:
            ogm, value_date = movement.ogm, movement.value_date
        if not ogm and len(items) == 1:
            ogm = items[0].dossier.ogm
    organisation = payment.organisation
    return Receipt(
        reference=payment.reference,
        paid_at=payment.succeeded_at or payment.updated_at,
        channel=payment.channel,
        method=payment.method,
        ogm=ogm_display(ogm) if ogm else "",
        value_date=value_date,
        amount_cents=payment.amount_cents,
        refunded_cents=payment.refunded_cents,
        lines=tuple(
            ReceiptLine(
                dossier_reference=item.dossier.reference,
                dossier_kind=item.dossier.get_kind_display(),
                amount_cents=item.amount_cents,
            )
            for item in items
        ),
        organisation_name=organisation.name,
        enterprise_number=enterprise_number_display(organisation.enterprise_number),
        organisation_address=organisation.address,
        payer_name=payment.party.display_name,
    )


def receipt_document(receipt: Receipt, *, language: str) -> PdfDocument:
    """The receipt as a PDF document (the same facts as the printable page)."""
    paid_at = formats.date_format(timezone.localtime(receipt.paid_at), DATETIME_FORMAT)
    facts = [
        (_("Betaald op"), paid_at),
        (_("Betaalmethode"), receipt.method_label),
    ]
    if receipt.value_date:
        facts.append((_("Valutadatum"), formats.date_format(receipt.value_date, "j F Y")))
    facts += [
        (_("Bedrag"), format_eur(receipt.amount_cents)),
        (_("Betaald door"), receipt.payer_name),
        (_("Betaald aan"), receipt.organisation_name),
    ]
    if receipt.enterprise_number:
        facts.append((_("Ondernemingsnummer"), receipt.enterprise_number))
    if receipt.organisation_address:
        facts.append((_("Adres"), " ".join(receipt.organisation_address.split())))
    facts.append((_("Referentie van de betaling"), receipt.reference))
    dossiers = [
        (line.dossier_reference, f"{line.dossier_kind}: {format_eur(line.amount_cents)}")
        for line in receipt.lines
    ]
    blocks = [Facts(facts), Heading(_("Betaalde dossiers")), Facts(dossiers)]
    if receipt.refunded_cents:
        blocks.append(
            Paragraph(
                _("Van deze betaling is %(amount)s terugbetaald.")
                % {"amount": format_eur(receipt.refunded_cents)}
            )
        )
    blocks.append(
        Paragraph(
            _("Dit ontvangstbewijs bevestigt dat %(organisation)s de betaling heeft ontvangen.")
            % {"organisation": receipt.organisation_name},
            small=True,
        )
    )
    return PdfDocument(
        title=_("Ontvangstbewijs van betaling %(ref)s") % {"ref": receipt.reference},
        language=language,
        blocks=blocks,
        author=receipt.organisation_name,
    )
