"""Citizen views: fill in a form (from a dossier, or a public question on a city page), see the
confirmation, follow "Mijn berichten" and answer the clerk. Thin: selectors read, services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from eloket import selectors as eloket_selectors
from eloket.auth.guest import acting_user, dossier_scope, login_or_dossier_grant_required
from eloket.models import Dossier
from forms import selectors, services
from forms.constants import CONTESTING_PURPOSES, DOSSIER_PURPOSES, PURPOSE_FOR_ACTION, SubmissionStatus
from forms.forms import AnswerForm, new_idempotency_key, offers_oral_hearing, submission_form_class
from forms.models import FormPage, Submission
from forms.uploads import UploadLimits

# References of submissions this browser sent: the confirmation of a question without login.
SENT_SESSION_KEY = "eloket_forms_sent"


def _party(request: HttpRequest):
    return (getattr(request, "acting_party", None) or None) if request.user.is_authenticated else None


def form_page_serve(request: HttpRequest, *, page: FormPage) -> HttpResponse:
    """A form page at its own URL in the page tree (``FormPage.serve``)."""
    if getattr(request, "is_preview", False):
        return _render_form(request, page=page, dossier=None, form=_form_class(request, page)(page=page))
    if page.purpose in DOSSIER_PURPOSES:
        return render(request, "eloket_forms/form_from_dossier.html", {"page": page})
    party = _party(request)
    if party is None and not page.allow_anonymous:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(request, "eloket/no_party.html")
    if request.method == "POST" and _rate_limited(request):
        return render(request, "eloket_forms/rate_limited.html", {"page": page}, status=429)
    return _form_handle(request, page=page, dossier=None)


def _rate_limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group="eloket_forms:public",
        key="ip",
        rate=settings.ELOKET_PUBLIC_FORM_RATE,
        method="POST",
        increment=True,
    )


@login_or_dossier_grant_required
def dossier_form(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """The organisation's form for ``action`` (contest, defend, name_driver, ask) about one dossier; for
    a dossier opened without login, the visitor gives a name and an e-mail address as on a public form."""
    party, only_dossier = dossier_scope(request)
    dossier = eloket_selectors.dossier_get(party=party, reference=reference, dossier_id=only_dossier)
    purpose = PURPOSE_FOR_ACTION.get(action)
    page = selectors.form_page_for_dossier(dossier=dossier, purpose=purpose) if purpose else None
    if page is None:
        raise Http404
    return _form_handle(request, page=page, dossier=dossier, party=party, anonymous=only_dossier is not None)


def _form_class(
    request: HttpRequest, page: FormPage, *, anonymous: bool | None = None, dossier: Dossier | None = None
):
    if anonymous is None:
        anonymous = _party(request) is None
    return submission_form_class(
        page=page,
        purpose=page.purpose,
        anonymous=anonymous,
        dossier_kind=dossier.kind if dossier is not None else "",
        oral_hearing=offers_oral_hearing(purpose=page.purpose, dossier=dossier),
    )


def _form_handle(
    request: HttpRequest,
    *,
    page: FormPage,
    dossier: Dossier | None,
    party=None,
    anonymous: bool | None = None,
) -> HttpResponse:
    """Show or take a form. ``party`` defaults to the acting party; ``anonymous`` asks for a name and an
    e-mail address (no login, or one dossier opened without login)."""
    if party is None:
        party = _party(request)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        if not data.get("idempotency_key"):
            data["idempotency_key"] = new_idempotency_key()
        already = Submission.objects.filter(idempotency_key=data["idempotency_key"]).first()
        if already is not None:  # the same form sent twice (refresh, double click)
            return _confirm_redirect(request, already)
    refusal = services.submission_refusal(page=page, dossier=dossier, party=party)
    if refusal:
        return _render_refused(request, page=page, dossier=dossier, reason=refusal)
    form_class = _form_class(request, page, anonymous=anonymous, dossier=dossier)
    limits = UploadLimits.for_page(page)
    if data is None:
        return _render_form(request, page=page, dossier=dossier, form=form_class(page=page, limits=limits))
    form = form_class(data, request.FILES, page=page, user=request.user, limits=limits)
    if not form.is_valid():
        return _render_form(request, page=page, dossier=dossier, form=form, status=400)
    try:
        result = services.submission_create(
            page=page,
            idempotency_key=form.cleaned_data["idempotency_key"],
            form_data=form.editor_data(),
            uploads=form.uploads(),
            message=form.cleaned_data.get("message", ""),
            contest_reason=form.cleaned_data.get("contest_reason", ""),
            dossier=dossier,
            party=party,
            user=acting_user(request),
            contact_name=form.cleaned_data.get("contact_name", ""),
            contact_email=form.cleaned_data.get("contact_email", ""),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except services.SubmissionRefused as error:
        return _render_refused(request, page=page, dossier=dossier, reason=error.messages[0])
    return _confirm_redirect(request, result.submission)


def _render_form(request, *, page, dossier, form, status: int = 200) -> HttpResponse:
    legal_due = dossier.contest_by if dossier is not None and page.purpose in CONTESTING_PURPOSES else None
    context = {
        "form_page": page,
        "form": form,
        "dossier": dossier,
        "party": _party(request),
        "legal_due": legal_due,
        "late": bool(legal_due and timezone.localdate() > legal_due),
        "preview": getattr(request, "is_preview", False),
    }
    if dossier is None:
        context.update(page=page, breadcrumbs=_breadcrumbs(page))
    return render(request, "eloket_forms/form_page.html", context, status=status)


def _render_refused(request, *, page, dossier, reason: str) -> HttpResponse:
    context = {"form_page": page, "dossier": dossier, "reason": reason}
    return render(request, "eloket_forms/refused.html", context, status=409)


def _breadcrumbs(page: FormPage) -> list:
    from home.selectors import breadcrumb_pages

    return breadcrumb_pages(page=page)


def _confirm_redirect(request: HttpRequest, submission: Submission) -> HttpResponse:
    sent = [ref for ref in request.session.get(SENT_SESSION_KEY, []) if ref != submission.reference]
    request.session[SENT_SESSION_KEY] = [*sent[-19:], submission.reference]
    return redirect("eloket_forms:submission_confirmation", reference=submission.reference)


def submission_confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    submission = selectors.submission_for_confirmation(
        reference=reference, party=_party(request), allowed=request.session.get(SENT_SESSION_KEY, [])
    )
    page = submission.page.specific
    form_page = page.localized if isinstance(page, FormPage) else None
    return render(
        request,
        "eloket_forms/form_page_landing.html",
        {"submission": submission, "form_page": form_page, "form_submission": submission},
    )


@login_required
def submission_list(request: HttpRequest) -> HttpResponse:
    party = _party(request)
    if party is None:
        return render(request, "eloket/no_party.html")
    page = Paginator(selectors.submission_list(party=party), settings.ELOKET_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(request, "eloket_forms/submission_list.html", {"page": page, "submissions": page})


@login_required
def submission_detail(request: HttpRequest, reference: str) -> HttpResponse:
    party = _party(request)
    submission = selectors.submission_get(party=party, reference=reference)
    can_answer = submission.status == SubmissionStatus.INFO_REQUESTED
    limits = _limits_for(submission)
    form = AnswerForm(limits=limits) if can_answer else None
    if request.method == "POST":
        if not can_answer:
            messages.info(request, _("Er wordt geen informatie meer gevraagd; uw antwoord is al ontvangen."))
            return redirect("eloket_forms:submission_detail", reference=reference)
        form = AnswerForm(request.POST, request.FILES, limits=limits)
        if form.is_valid():
            try:
                services.submission_answer(
                    submission_id=submission.pk,
                    party=party,
                    body=form.cleaned_data["body"],
                    uploads=form.cleaned_data["attachments"],
                    user=request.user,
                )
            except ValidationError as error:
                messages.info(request, error.messages[0])
            else:
                messages.success(request, _("Bedankt, we hebben uw antwoord ontvangen."))
            return redirect("eloket_forms:submission_detail", reference=reference)
    return render(
        request,
        "eloket_forms/submission_detail.html",
        {
            "submission": submission,
            "answer_form": form,
            "answers": selectors.submission_answers(submission=submission),
            "loose_attachments": [a for a in submission.attachments.all() if a.message_id is None],
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _limits_for(submission: Submission) -> UploadLimits:
    page = submission.page.specific
    return UploadLimits.for_page(page) if isinstance(page, FormPage) else UploadLimits()


@login_required
def attachment_file(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_get(
        party=_party(request), reference=reference, attachment_id=attachment_id
    )
    is_image = attachment.content_type.startswith("image/")
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not is_image,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def dossier_form_url(*, dossier: Dossier, action: str) -> str | None:
    """The dossier page's link to ``action``'s form; None when the organisation has no such form (the
    action is then not shown). Registered per action in ``forms.apps``."""
    purpose = PURPOSE_FOR_ACTION[action]
    if selectors.form_page_for_dossier(dossier=dossier, purpose=purpose) is None:
        return None
    return reverse("eloket_forms:dossier_form", args=[dossier.reference, action])
