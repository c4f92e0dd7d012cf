"""Citizen payment views: choose what to pay, go to the hosted page, come back, go on later.

The return page never marks anything paid: it shows the payment as our records hold it, which only a
verified provider event or the reconciliation job changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eloket import selectors as eloket_selectors
from eloket.auth.guest import acting_user, dossier_scope, login_or_dossier_grant_required
from eloket.constants import PAYMENT_UNFINISHED, PaymentStatus
from eloket.payments import selectors, services
from eloket.payments.provider import ProviderError
from eloket.payments.receipts import receipt_document
from eloket.pdf import pdf_render

PROVIDER_DOWN = gettext_lazy(
    "De betaalpagina is nu niet bereikbaar. Probeer het over enkele minuten opnieuw, of betaal met een "
    "overschrijving."
)


def pay_url(dossier) -> str | None:
    """The pay action's link, or None when the dossier's organisation takes no online payments."""
    if not selectors.online_payment_possible(organisation_id=dossier.organisation_id):
        return None
    return reverse("payments:pay", args=[dossier.reference])


@login_or_dossier_grant_required
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    """Pay a dossier, and with it any other open dossier of the same organisation the citizen ticks
    (a dossier opened without login: that one alone)."""
    party, only_dossier = dossier_scope(request)
    dossier = eloket_selectors.dossier_get(party=party, reference=reference, dossier_id=only_dossier)
    payable = selectors.payable_dossiers(party=party, organisation=dossier.organisation)
    if only_dossier is not None:
        payable = [d for d in payable if d.pk == only_dossier]
    if dossier not in payable or not selectors.online_payment_possible(
        organisation_id=dossier.organisation_id
    ):
        messages.info(request, _("Dit dossier kan nu niet online betaald worden."))
        return redirect("eloket:dossier_detail", reference=dossier.reference)
    error, status = None, 200
    chosen = {dossier.reference}
    if request.method == "POST":
        chosen = set(request.POST.getlist("dossier"))
        ids = [d.pk for d in payable if d.reference in chosen]
        if len(ids) != len(chosen):
            ids = []  # something not payable was sent: refuse the whole choice
        try:
            payment = services.payment_start(
                party=party, dossier_ids=ids, user=acting_user(request), language=translation.get_language()
            )
        except services.PaymentRefused as refused:
            error, status = refused.messages[0], 400
        except ProviderError:
            error, status = PROVIDER_DOWN, 503
        else:
            if payment.status in PAYMENT_UNFINISHED and payment.checkout_url:
                return _to_checkout(payment)
            return redirect("payments:status", reference=payment.reference)
    return render(
        request,
        "eloket/payments/pay.html",
        {"dossier": dossier, "payable": payable, "chosen": chosen, "error": error},
        status=status,
    )


def _to_checkout(payment) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = payment.checkout_url
    return response


def _payment_get(request: HttpRequest, reference: str):
    party, only_dossier = dossier_scope(request)
    return selectors.payment_get(party=party, reference=reference, dossier_id=only_dossier)


@login_or_dossier_grant_required
def payment_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Where the hosted page sends the citizen back (paid, cancelled or otherwise)."""
    payment = _payment_get(request, reference)
    return render(
        request,
        "eloket/payments/status.html",
        {
            "payment": payment,
            "items": list(payment.items.all()),
            "cancelled": "afgebroken" in request.GET,
            "unfinished": payment.status in PAYMENT_UNFINISHED,
            "S": PaymentStatus,
        },
    )


@login_or_dossier_grant_required
def payment_status_json(request: HttpRequest, reference: str) -> JsonResponse:
    """What the status page's script polls while a payment is being processed."""
    payment = _payment_get(request, reference)
    response = JsonResponse({"status": payment.status, "finished": payment.status not in PAYMENT_UNFINISHED})
    response["Cache-Control"] = "no-store"
    return response


@login_or_dossier_grant_required
@require_POST
def payment_resume(request: HttpRequest, reference: str) -> HttpResponse:
    """Go on with an unfinished payment, or start again when it expired or failed."""
    party, _only_dossier = dossier_scope(request)
    _payment_get(request, reference)  # 404 for another party's payment (or another dossier's)
    try:
        payment = services.payment_resume(
            party=party, reference=reference, user=acting_user(request), language=translation.get_language()
        )
    except services.PaymentRefused as refused:
        messages.error(request, refused.messages[0])
        return redirect("payments:status", reference=reference)
    except ProviderError:
        messages.error(request, PROVIDER_DOWN)
        return redirect("payments:status", reference=reference)
    if payment.status == PaymentStatus.OPEN and payment.checkout_url:
        return _to_checkout(payment)
    return redirect("payments:status", reference=payment.reference)


@login_or_dossier_grant_required
def payment_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt of a succeeded payment, as a page to read or print (print stylesheet)."""
    party, only_dossier = dossier_scope(request)
    receipt = selectors.payment_receipt_get(party=party, reference=reference, dossier_id=only_dossier)
    return render(request, "eloket/payments/receipt.html", {"receipt": receipt})


@login_or_dossier_grant_required
def payment_receipt_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The same receipt as a PDF to download and keep."""
    party, only_dossier = dossier_scope(request)
    receipt = selectors.payment_receipt_get(party=party, reference=reference, dossier_id=only_dossier)
    document = receipt_document(receipt, language=translation.get_language() or "nl")
    response = HttpResponse(pdf_render(document), content_type="application/pdf")
    name = _("ontvangstbewijs-%(ref)s.pdf") % {"ref": receipt.reference}
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
