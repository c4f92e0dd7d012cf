"""The payment parts of the dossier page and the overview, read through the payment selectors.

Inclusion tags, so that the citizen views stay as they are and every page that shows a dossier shows
its payments the same way.
"""

from __future__ import annotations

from django import template

from eloket.constants import PaymentStatus, RefundStatus
from eloket.ogm import ogm_display
from eloket.payments import selectors
from eloket.payments.epc import epc_qr_data_uri

register = template.Library()


@register.inclusion_tag("eloket/payments/_dossier_panel.html")
def dossier_payments(dossier, on_hold: bool = False):
    payable = selectors.dossier_is_payable(dossier)
    return {
        "dossier": dossier,
        "organisation": dossier.organisation,
        "payable": payable,
        "ogm": ogm_display(dossier.ogm) if dossier.ogm else "",
        "qr": epc_qr_data_uri(dossier=dossier) if payable else None,
        "payments": list(selectors.payments_for_dossier(dossier=dossier)[:10]),
        "refunds": list(selectors.refunds_for_dossier(dossier=dossier)),
        "unfinished": selectors.payment_unfinished_for_dossier(dossier=dossier),
        "S": PaymentStatus,
        "R": RefundStatus,
    }


@register.simple_tag(takes_context=True)
def dossier_receipts(context, dossier) -> list:
    """The dossier's succeeded payments that have a receipt (for ``_receipt_links.html``); a visitor
    who opened one dossier without login gets only the payments of that dossier alone."""
    from eloket.auth.guest import dossier_scope

    request = context.get("request")
    only_dossier = dossier_scope(request)[1] if request is not None else None
    return selectors.receipts_for_dossier(dossier=dossier, only_dossier=only_dossier)
