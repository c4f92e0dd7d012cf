"""Letters in the admin: each organisation's own letter texts (city staff edit them), and its daily
batches for the print house (listed, downloaded as one zip). Every screen is scoped to the user's
organisations (``staff_organisations``); which screens a user sees is decided by model permissions
(the clerks' group holds them, ``forms.triage.CLERK_PERMISSIONS``)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eloket.letters.services import batch_zip
from eloket.models import LetterBatch, LetterText, Regulation
from eloket.selectors import staff_organisations

VIEW_BATCHES = "eloket.view_letterbatch"


def letter_text_viewset():
    """Built on the triage settings' organisation-scoped viewset (forms.wagtail_hooks), imported
    when the admin registers its viewsets."""
    from forms.admin_forms import OrganisationScopedForm
    from forms.wagtail_hooks import OrganisationScopedViewSet

    class LetterTextForm(OrganisationScopedForm):
        def __init__(self, *args, for_user=None, **kwargs):
            super().__init__(*args, for_user=for_user, **kwargs)
            if for_user is not None and "regulation" in self.fields:
                self.fields["regulation"].queryset = Regulation.objects.filter(
                    organisation__in=staff_organisations(user=for_user).values("pk")
                ).order_by("code")

        def clean(self):
            data = super().clean()
            regulation, organisation = data.get("regulation"), data.get("organisation")
            if (
                regulation is not None
                and organisation is not None
                and regulation.organisation_id != organisation.pk
            ):
                self.add_error(
                    "regulation", ValidationError(_("Dit reglement is van een andere organisatie."))
                )
            return data

    class LetterTextViewSet(OrganisationScopedViewSet):
        model = LetterText
        name = "letter_texts"
        url_prefix = "brieven/teksten"
        icon = "doc-full"
        menu_label = gettext_lazy("Briefteksten")
        add_to_admin_menu = False
        list_display = ["kind", "language", "organisation", "regulation", "updated_at"]
        list_filter = ["kind", "language"]
        form_fields = ["organisation", "regulation", "kind", "language", "opening", "closing", "signatory"]
        form_base = LetterTextForm

    return LetterTextViewSet()


def _batch_permission(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(VIEW_BATCHES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _batches(request):
    return LetterBatch.objects.filter(organisation__in=staff_organisations(user=request.user).values("pk"))


@_batch_permission
def batches_view(request):
    batches = (
        _batches(request)
        .select_related("organisation")
        .annotate(letter_count=Count("letters"))
        .order_by("-day", "organisation__name_nl")[:200]
    )
    return TemplateResponse(
        request,
        "eloket/letters/batches.html",
        {"batches": batches, "header_title": _("Brieven per post")},
    )


@_batch_permission
def batch_download_view(request, pk: int):
    batch = get_object_or_404(_batches(request).select_related("organisation"), pk=pk)
    if not batch.letters.exists():
        raise Http404
    response = HttpResponse(batch_zip(batch), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="brieven-{batch.organisation.slug}-{batch.day:%Y%m%d}.zip"'
    )
    return response


urlpatterns = [
    path("brieven/", batches_view, name="eloket_letters_batches"),
    path("brieven/<int:pk>/zip/", batch_download_view, name="eloket_letters_batch_download"),
]
