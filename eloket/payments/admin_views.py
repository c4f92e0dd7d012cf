"""Clerk screens for payments in the Wagtail admin: the organisation's payments (filters, CSV export),
refunds to make by hand, bank movements to resolve, and the CODA upload.

Every read goes through ``eloket.payments.selectors.staff_*`` (scoped to the clerk's organisations,
another organisation's row is a 404); every write through the payment services. The screens need
the model permission named on each (the clerk group holds them), and nothing here adds, edits or
deletes a payment.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from eloket.constants import MovementStatus, RefundStatus
from eloket.models import BankMovement, Dossier, Payment, Refund
from eloket.payments import selectors
from eloket.payments.coda_import import CodaRejected, coda_import, movement_book, movement_close
from eloket.payments.services import refund_mark_done
from eloket.selectors import staff_organisations


class ViewOnlyPolicy(ModelPermissionPolicy):
    """Clerks look at these rows; they change them only through the services' own screens."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for _model in (Payment, Refund, BankMovement):
    register_permission_policy(_model, ViewOnlyPolicy(_model))


class ScopedIndexView(generic.IndexView):
    scope = None  # a selector taking ``user=``

    def get_base_queryset(self):
        return type(self).scope(user=self.request.user)


class ScopedInspectView(generic.InspectView):
    scope = None

    def get_object(self, queryset=None):
        found = type(self).scope(user=self.request.user).filter(pk=self.pk).first()
        if found is None:
            raise Http404
        return found


def _scoped_views(selector, status=None):
    def scope(*, user):
        return selector(user=user, status=status) if status is not None else selector(user=user)

    index = type("Index", (ScopedIndexView,), {"scope": staticmethod(scope)})
    inspect = type("Inspect", (ScopedInspectView,), {"scope": staticmethod(scope)})
    return index, inspect


class PaymentViewSet(ModelViewSet):
    model = Payment
    name = "eloket_payments"
    url_prefix = "eloket/payments"
    icon = "doc-full"
    menu_label = gettext_lazy("Betalingen")
    index_view_class, inspect_view_class = _scoped_views(selectors.staff_payments)
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["status"]  # required by ModelViewSet; the policy allows no add, edit or delete
    list_display = [
        "reference",
        "organisation",
        "channel",
        "status",
        "amount_cents",
        "refunded_cents",
        "created_at",
    ]
    list_filter = ["status", "channel", "created_at"]
    search_fields = ["reference", "provider_session_id", "provider_payment_id", "items__dossier__reference"]
    list_export = [
        "reference", "organisation", "channel", "method", "status", "amount_cents", "refunded_cents",
        "currency", "provider_payment_id", "created_at", "succeeded_at",
    ]  # fmt: skip
    export_filename = "betalingen"
    inspect_view_fields = [
        "reference", "organisation", "party", "channel", "method", "status", "amount_cents", "refunded_cents",
        "provider_account", "provider_session_id", "provider_payment_id", "created_at", "succeeded_at",
    ]  # fmt: skip


class RefundViewSet(ModelViewSet):
    model = Refund
    name = "eloket_refunds"
    url_prefix = "eloket/refunds"
    icon = "resubmit"
    menu_label = gettext_lazy("Terugbetalingen")
    index_view_class, inspect_view_class = _scoped_views(selectors.staff_refunds)
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["status"]  # required by ModelViewSet; the policy allows no add, edit or delete
    list_display = [
        TitleColumn(
            "dossier",
            label=gettext_lazy("Dossier"),
            get_url=lambda r: reverse("eloket_payments_refund_done", args=[r.pk])
            if r.status == RefundStatus.TO_DO
            else None,
        ),
        "payment", "amount_cents", "status", "counterparty_iban", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "created_at"]
    list_export = ["dossier", "payment", "amount_cents", "status", "counterparty_iban", "counterparty_name"]
    export_filename = "terugbetalingen"


class MovementViewSet(ModelViewSet):
    model = BankMovement
    name = "eloket_bank_movements"
    url_prefix = "eloket/bank-movements"
    icon = "warning"
    menu_label = gettext_lazy("Op te lossen overschrijvingen")
    index_view_class, inspect_view_class = _scoped_views(selectors.staff_movements, status="")
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["status"]  # required by ModelViewSet; the policy allows no add, edit or delete
    list_display = [
        TitleColumn(
            "entry_date",
            label=gettext_lazy("Boekingsdatum"),
            get_url=lambda m: reverse("eloket_payments_movement_resolve", args=[m.pk])
            if m.status == "unmatched"
            else None,
        ),
        "organisation", "amount_cents", "ogm", "reason", "status", "counterparty_name", "dossier",
    ]  # fmt: skip
    list_filter = ["status", "reason", "entry_date"]
    search_fields = ["ogm", "communication", "counterparty_name", "counterparty_iban"]
    list_export = [
        "entry_date",
        "amount_cents",
        "ogm",
        "communication",
        "reason",
        "status",
        "counterparty_iban",
    ]
    export_filename = "bankbewegingen"


class PaymentsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Betalingen")
    menu_icon = "doc-full"
    items = (PaymentViewSet, RefundViewSet, MovementViewSet)


# -- Screens that act ------------------------------------------------------------------------------


def clerk_permission(permission: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class CodaUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Organisatie"))
    file = forms.FileField(label=gettext_lazy("CODA-bestand"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = staff_organisations(user=user)


MAX_CODA_BYTES = 50 * 1024 * 1024


@clerk_permission("eloket.add_codaimport")
def coda_upload(request):
    """Upload a CODA statement: a damaged file is refused with its line numbers and nothing stored."""
    form = CodaUploadForm(request.POST or None, request.FILES or None, user=request.user)
    errors: list[tuple[int, str]] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_CODA_BYTES:
            form.add_error("file", _("Het bestand is te groot."))
        else:
            try:
                result = coda_import(
                    organisation=form.cleaned_data["organisation"],
                    content=upload.read(),
                    file_name=upload.name,
                    user=request.user,
                )
            except CodaRejected as rejected:
                errors = rejected.errors
    return TemplateResponse(
        request,
        "eloket/payments/admin/coda_upload.html",
        {"form": form, "errors": errors, "result": result, "header_title": _("CODA-bestand inlezen")},
        status=400 if errors else 200,
    )


class MovementBookForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Dossierreferentie"), max_length=32)
    note = forms.CharField(
        label=gettext_lazy("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MovementCloseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Wat is er met deze betaling gebeurd?"), widget=forms.Textarea(attrs={"rows": 2})
    )


@clerk_permission("eloket.change_bankmovement")
def movement_resolve(request, pk: int):
    """Book a movement on a dossier of the organisation (also a partial payment), or close it."""
    movement = get_object_or_404(
        selectors.staff_movements(user=request.user, status=MovementStatus.UNMATCHED), pk=pk
    )
    book_form = MovementBookForm(
        request.POST if "book" in request.POST else None,
        initial={"reference": movement.dossier.reference if movement.dossier else ""},
    )
    close_form = MovementCloseForm(request.POST if "close" in request.POST else None)
    if request.method == "POST":
        try:
            if "book" in request.POST and book_form.is_valid():
                dossier = Dossier.objects.filter(
                    organisation_id=movement.organisation_id,
                    reference=book_form.cleaned_data["reference"].strip(),
                ).first()
                if dossier is None:
                    raise ValidationError(_("Geen dossier met die referentie bij deze organisatie."))
                movement_book(
                    movement_id=movement.pk,
                    dossier=dossier,
                    user=request.user,
                    note=book_form.cleaned_data["note"],
                )
                messages.success(request, _("De betaling is op het dossier geboekt."))
                return redirect("eloket_bank_movements:index")
            if "close" in request.POST and close_form.is_valid():
                movement_close(
                    movement_id=movement.pk, user=request.user, note=close_form.cleaned_data["note"]
                )
                messages.success(request, _("De beweging is afgesloten."))
                return redirect("eloket_bank_movements:index")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return TemplateResponse(
        request,
        "eloket/payments/admin/movement_resolve.html",
        {
            "movement": movement,
            "book_form": book_form,
            "close_form": close_form,
            "header_title": _("Overschrijving oplossen"),
        },
    )


@clerk_permission("eloket.change_refund")
def refund_done(request, pk: int):
    """A clerk confirms a refund made by hand (bank transfer back to the payer's account)."""
    refund = get_object_or_404(
        selectors.staff_refunds(user=request.user).filter(status=RefundStatus.TO_DO), pk=pk
    )
    if request.method == "POST":
        refund_mark_done(refund_id=refund.pk, user=request.user, note=request.POST.get("note", "")[:500])
        messages.success(request, _("De terugbetaling staat als uitgevoerd."))
        return redirect("eloket_refunds:index")
    return TemplateResponse(
        request,
        "eloket/payments/admin/refund_done.html",
        {"refund": refund, "header_title": _("Terugbetaling uitgevoerd")},
    )
