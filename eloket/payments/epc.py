"""The EPC QR code ("SEPA QR", EPC069-12) a banking app scans to prefill a transfer: the organisation's
name and IBAN, the amount due today, and the OGM as *structured* reference, which Belgian banking apps
expect (domain.md §5). Drawn by segno, served as a data URI so the page needs no extra request and
CSP allows it (img-src 'self' data:)."""

from __future__ import annotations

import io
from decimal import Decimal

import segno.helpers

from eloket.models import Dossier


def epc_qr(*, dossier: Dossier):
    """The segno QR code of the transfer for this dossier's amount due, or None when nothing is due
    (or the organisation has no IBAN, or the dossier no OGM)."""
    amount_cents = dossier.amount_due_cents
    organisation = dossier.organisation
    if amount_cents <= 0 or not dossier.ogm or not organisation.iban:
        return None
    return segno.helpers.make_epc_qr(
        name=(organisation.account_holder or organisation.name_nl)[:70],
        iban=organisation.iban,
        amount=Decimal(amount_cents) / 100,
        reference=dossier.ogm,
        bic=organisation.bic or None,
    )


def epc_qr_data_uri(*, dossier: Dossier) -> str | None:
    """An SVG data URI of the transfer for this dossier's amount due, or None when nothing is due."""
    qr = epc_qr(dossier=dossier)
    if qr is None:
        return None
    return qr.svg_data_uri(scale=4, border=4, dark="#000", light="#fff", omitsize=False)


def epc_qr_png(*, dossier: Dossier) -> bytes | None:
    """The same code as PNG bytes, for a printed letter (eloket.letters)."""
    qr = epc_qr(dossier=dossier)
    if qr is None:
        return None
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
