"""The clerk's screens in the Wagtail admin: the inbox, its exports, a submission and its actions.

Every read goes through ``forms.inbox`` (scoped to the clerk's organisations; another organisation's
submission is a 404), every write through ``forms.triage``. Registered in ``forms.wagtail_hooks``
under ``/beheer/inzendingen/`` (URL names ``eloket_forms_admin:*``).
"""

from __future__ import annotations

import csv
import functools
import mimetypes
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eloket.constants import Decision, DossierKind, labels
from eloket.db import replica
from forms import inbox, triage
from forms.admin_forms import (
    AssignForm,
    BulkAssignForm,
    CloseForm,
    DecisionForm,
    InboxFilterForm,
    MessageForm,
    SavedFilterForm,
)
from forms.admin_paid_by_app import paid_by_app_box
from forms.constants import CONTESTING_PURPOSES, OPEN_STATUSES, Purpose, SubmissionStatus
from forms.export import EXPORT_FORMATS, export_rows, xlsx_response
from forms.forms import NO, ORAL_HEARING_LABELS, PAID_BY_APP_LABELS, YES

PER_PAGE = 50
VIEW_PERMISSION = "eloket_forms.view_submission"
CHANGE_PERMISSION = "eloket_forms.change_submission"


def clerk_required(permission: str):
    """Wagtail already requires admin access for these URLs; a clerk also needs the permission. Which
    submissions they see is up to their memberships (``forms.inbox``)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Without a query string the inbox shows what is still to be done; "?status=" shows everything.
DEFAULT_QUERY = QueryDict("status=" + inbox.STATUS_OPEN)


def _filter_form(request: HttpRequest) -> InboxFilterForm:
    form = InboxFilterForm(request.GET or DEFAULT_QUERY, user=request.user)
    if form.is_bound:
        form.is_valid()
    return form


def _querystring(request: HttpRequest, **changes) -> str:
    params = (request.GET or DEFAULT_QUERY).copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return params.urlencode()


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox, its texts made in Python once: per-row template tags ({% url %}, date
    filters, get_FOO_display, blocktrans) were most of the inbox's rendering time (docs/performance.md)."""

    reference: str
    url: str
    select_label: str
    received_iso: str
    received: str
    purpose: str
    filed_late: bool
    dossier_reference: str
    dossier_kind: str
    municipality: str
    status: str
    handler: str
    due_iso: str
    due: str
    overdue: bool


def _inbox_rows(submissions) -> list[InboxRow]:
    today = timezone.localdate()
    detail_url = reverse("eloket_forms_admin:detail", args=["REFERENCE"])
    purposes, statuses, kinds = labels(Purpose), labels(SubmissionStatus), labels(DossierKind)
    select_label, team_label = _("%(reference)s kiezen"), _("team %(team)s")
    rows = []
    for s in submissions:
        received = timezone.localtime(s.submit_time)
        if s.assignee_id:
            handler = s.assignee.get_full_name() or s.assignee.get_username()
        else:
            handler = team_label % {"team": s.team.name} if s.team_id else "—"
        rows.append(
            InboxRow(
                reference=s.reference,
                url=detail_url.replace("REFERENCE", s.reference),
                select_label=select_label % {"reference": s.reference},
                received_iso=received.isoformat(),
                received=received.strftime("%d/%m/%Y %H:%M"),
                purpose=purposes.get(s.purpose, s.purpose),
                filed_late=s.filed_late,
                dossier_reference=s.dossier.reference if s.dossier_id else "",
                dossier_kind=kinds.get(s.dossier.kind, "") if s.dossier_id else "",
                municipality=s.municipality.name if s.municipality_id else "—",
                status=statuses.get(s.status, s.status),
                handler=handler,
                due_iso=s.clerk_due.isoformat() if s.clerk_due else "",
                due=s.clerk_due.strftime("%d/%m/%Y") if s.clerk_due else "",
                overdue=bool(s.clerk_due and s.clerk_due < today and s.status in OPEN_STATUSES),
            )
        )
    return rows


@clerk_required(VIEW_PERMISSION)
def inbox_view(request: HttpRequest) -> HttpResponse:
    """The inbox. Its results (status counts, filter form, rows) are rendered once per state: the
    fragments are cached until a submission of the clerk's organisations changes (forms.inbox
    .inbox_fragment_cached); saved filters are the clerk's own and are read on every request."""
    query = _querystring(request, p=None)
    fragments = inbox.inbox_fragment_cached(
        user=request.user,
        key_data=(request.get_full_path(), translation.get_language(), request.META.get("CSRF_COOKIE", "")),
        render=lambda: _inbox_fragments(request, query),
    )
    return render(
        request,
        "eloket_forms/admin/inbox.html",
        {
            "page_title": _("Inzendingen"),
            "header_icon": "mail",
            "fragments": fragments,
            "saved_filters": inbox.saved_filters_for(user=request.user),
            "query": query,
        },
    )


def _count_label(status: str, count: int) -> int | str:
    """A status's count, or "1000+" for history counted up to its cap (``inbox.HISTORY_COUNT_CAP``)."""
    if status in inbox.HISTORY_STATUSES and count > inbox.HISTORY_COUNT_CAP:
        return f"{inbox.HISTORY_COUNT_CAP}+"
    return count


def _inbox_fragments(request: HttpRequest, query: str) -> dict[str, str]:
    form = _filter_form(request)
    filters = form.filters()
    rows = inbox.InboxRows(inbox.inbox_list(user=request.user, filters=filters))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("p"))
    counts = inbox.inbox_status_counts(user=request.user, filters=filters)
    status_links = [
        {
            "value": value,
            "label": label,
            "count": _count_label(value, counts[value]),
            "query": _querystring(request, status=value, p=None),
            "current": filters.status == value,
        }
        for value, label in [(inbox.STATUS_OPEN, _("Open")), *SubmissionStatus.choices]
    ]
    context = {
        "form": form,
        "page": page,
        "rows": _inbox_rows(page.object_list),
        "late_label": _("laattijdig"),
        "overdue_label": _("over tijd"),
        "status_links": status_links,
        "query": query,
        "page_query": query,
        "bulk_form": BulkAssignForm(clerks=inbox.clerks_of_organisations(user=request.user), references=[]),
        "export_formats": EXPORT_FORMATS,
    }
    return {
        "filters": render_to_string("eloket_forms/admin/inbox_filters.html", context, request),
        "results": render_to_string("eloket_forms/admin/inbox_results.html", context, request),
    }


@clerk_required(VIEW_PERMISSION)
def inbox_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404
    filters = _filter_form(request).filters()
    # A read-only snapshot: the replica when there is one (eloket.db).
    submissions = inbox.inbox_list(user=request.user, filters=filters).using(replica())
    rows = export_rows(inbox.inbox_rows(submissions))
    filename = f"inzendingen-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(rows, filename=filename)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class _Echo:
    def write(self, value):
        return value


def _csv_lines(rows):
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # so that spreadsheet programs read UTF-8
    for row in rows:
        yield writer.writerow(row)


@require_POST
@clerk_required(VIEW_PERMISSION)
def saved_filter_create_view(request: HttpRequest) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        saved = triage.saved_filter_save(
            user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
        )
        messages.success(request, _("Filter bewaard."))
        return redirect(reverse("eloket_forms_admin:inbox") + "?" + saved.query)
    messages.error(request, _("Geef de filter een naam."))
    return redirect("eloket_forms_admin:inbox")


@require_POST
@clerk_required(VIEW_PERMISSION)
def saved_filter_delete_view(request: HttpRequest, saved_filter_id: int) -> HttpResponse:
    if not triage.saved_filter_delete(user=request.user, saved_filter_id=saved_filter_id):
        raise Http404
    messages.success(request, _("Filter verwijderd."))
    return redirect("eloket_forms_admin:inbox")


@require_POST
@clerk_required(CHANGE_PERMISSION)
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    # References outside the clerk's organisations are dropped unseen (as if they did not exist).
    submissions = list(
        inbox.clerk_submissions(user=request.user).filter(
            reference__in=request.POST.getlist("submissions")[:500]
        )
    )
    data = request.POST.copy()
    data.setlist("submissions", [submission.reference for submission in submissions])
    form = BulkAssignForm(
        data,
        clerks=inbox.clerks_of_organisations(user=request.user),
        references=[submission.reference for submission in submissions],
    )
    back = reverse("eloket_forms_admin:inbox") + _next_query(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    done, refused = triage.submission_assign_bulk(
        submissions=submissions, assignee=form.assignee_user(), actor=request.user
    )
    if done:
        messages.success(request, _("%(count)s inzending(en) toegewezen.") % {"count": done})
    if refused:
        messages.error(
            request,
            _("Niet toegewezen (andere organisatie): %(references)s") % {"references": ", ".join(refused)},
        )
    return redirect(back)


def _next_query(request: HttpRequest) -> str:
    # Re-encoded, so whatever was posted can only ever be a query string of the inbox.
    query = QueryDict(request.POST.get("next_query", "").lstrip("?")).urlencode()
    return "?" + query if query else ""


# --- one submission -------------------------------------------------------------------------------


def _fill_placeholders(text: str, submission) -> str:
    # Plain replacement, not str.format: a reply text must not be able to reach attributes.
    replacements = {
        "{reference}": submission.reference,
        "{dossier}": submission.dossier.reference if submission.dossier_id else "",
        "{name}": submission.contact_name,
    }
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


def _detail_context(request: HttpRequest, submission, **forms) -> dict:
    user = request.user
    standard_replies = list(inbox.standard_replies_for(submission=submission))
    message_initial = {"close": submission.purpose in triage.CLOSED_BY_REPLY}
    chosen = request.GET.get("antwoord")
    if chosen and chosen.isdigit():
        reply = next((r for r in standard_replies if r.pk == int(chosen)), None)
        if reply is not None:
            message_initial["body"] = _fill_placeholders(reply.body, submission)
    dossier = submission.dossier
    today = timezone.localdate()
    is_open = submission.status in OPEN_STATUSES
    return {
        "page_title": _("Inzending %(reference)s") % {"reference": submission.reference},
        "header_icon": "mail",
        "submission": submission,
        "dossier": dossier,
        "is_open": is_open,
        "decision_label": dict(Decision.choices).get(submission.decision, ""),
        "is_overdue": bool(is_open and submission.clerk_due and submission.clerk_due < today),
        "can_change": user.has_perm(CHANGE_PERMISSION),
        "thread": inbox.submission_thread(submission=submission),
        "attachments": inbox.submission_attachments(submission=submission),
        "evidence": inbox.dossier_evidence(submission=submission),
        "timeline": inbox.dossier_timeline(submission=submission),
        "earlier": inbox.earlier_submissions(user=user, submission=submission),
        "standard_replies": standard_replies,
        "can_decide": is_open
        and submission.purpose in CONTESTING_PURPOSES
        and submission.dossier_id is not None,
        "amount_may_change": bool(dossier and dossier.policy.amount_may_change),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            clerks=inbox.organisation_clerks(organisation_id=submission.organisation_id),
            initial={"assignee": submission.assignee_id},
        ),
        "message_form": forms.get("message_form") or MessageForm(initial=message_initial),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "form_data_items": _form_data_items(submission),
        "paid_by_app": paid_by_app_box(submission=submission, can_change=user.has_perm(CHANGE_PERMISSION)),
    }


def _form_data_items(submission) -> list[tuple[str, str]]:
    """The editor's own fields, by their labels where the form page still has them."""
    data = submission.form_data or {}
    page = submission.page.specific
    fields = page.form_fields.all() if hasattr(page, "form_fields") else []
    labels = {
        **PAID_BY_APP_LABELS,
        **ORAL_HEARING_LABELS,
        **{field.clean_name: field.label for field in fields},
    }
    words = {True: _("ja"), False: _("nee")}
    items = []
    for key, value in data.items():
        if isinstance(value, bool):
            value = words[value]
        elif key in PAID_BY_APP_LABELS and value in (YES, NO):  # the e-loket's own yes/no question
            value = words[value == YES]
        elif isinstance(value, list):
            value = ", ".join(str(words.get(v, v)) if isinstance(v, bool) else str(v) for v in value)
        items.append((labels.get(key, key), str(value)))
    return items


def _render_detail(request: HttpRequest, submission, status: int = 200, **forms) -> HttpResponse:
    return render(
        request,
        "eloket_forms/admin/submission_detail.html",
        _detail_context(request, submission, **forms),
        status=status,
    )


@clerk_required(VIEW_PERMISSION)
def submission_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    return _render_detail(request, submission)


def _detail_url(submission) -> str:
    return reverse("eloket_forms_admin:detail", args=[submission.reference])


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@clerk_required(CHANGE_PERMISSION)
def submission_take_view(request: HttpRequest, reference: str) -> HttpResponse:
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    try:
        triage.submission_assign(submission=submission, assignee=request.user, actor=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("U behandelt nu %(reference)s.") % {"reference": submission.reference})
    return redirect(_detail_url(submission))


@require_POST
@clerk_required(CHANGE_PERMISSION)
def submission_assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    form = AssignForm(
        request.POST, clerks=inbox.organisation_clerks(organisation_id=submission.organisation_id)
    )
    if not form.is_valid():
        return _render_detail(request, submission, status=400, assign_form=form)
    try:
        triage.submission_assign(submission=submission, assignee=form.assignee_user(), actor=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Toewijzing bewaard."))
    return redirect(_detail_url(submission))


@require_POST
@clerk_required(CHANGE_PERMISSION)
def submission_message_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Reply or ask for information. Without ``send``, it shows the e-mail the citizen will get first."""
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    form = MessageForm(request.POST)
    if not form.is_valid() or "edit" in request.POST:
        return _render_detail(request, submission, status=200 if form.is_valid() else 400, message_form=form)
    data = form.cleaned_data
    requests_information = data["kind"] == MessageForm.KIND_REQUEST
    if "send" not in request.POST:
        preview = triage.email_preview(
            template="submission_message",
            context=triage.message_email_context(
                submission=submission, body=data["body"], requests_information=requests_information
            ),
            language=submission.language,
        )
        return render(
            request,
            "eloket_forms/admin/message_preview.html",
            {
                "page_title": _("Voorbeeld van de e-mail"),
                "header_icon": "mail",
                "submission": submission,
                "form": form,
                "preview": preview,
                "requests_information": requests_information,
            },
        )
    try:
        if requests_information:
            triage.submission_request_information(
                submission=submission, body=data["body"], actor=request.user
            )
        else:
            triage.submission_reply(
                submission=submission, body=data["body"], actor=request.user, close=data["close"]
            )
    except ValidationError as error:
        _show_errors(request, error)
        return _render_detail(request, submission, status=400, message_form=form)
    messages.success(request, _("Bericht verstuurd."))
    return redirect(_detail_url(submission))


@require_POST
@clerk_required(CHANGE_PERMISSION)
def submission_decide_view(request: HttpRequest, reference: str) -> HttpResponse:
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, submission, status=400, decision_form=form)
    try:
        triage.submission_decide(
            submission=submission,
            decision=form.cleaned_data["decision"],
            motivation=form.cleaned_data["motivation"],
            amount_cents=form.amount_cents(),
            actor=request.user,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                target = "amount_eur" if field == "amount_cents" else field
                for message in errors:
                    form.add_error(target if target in form.fields else None, message)
        else:
            form.add_error(None, error)
        return _render_detail(request, submission, status=400, decision_form=form)
    label = dict(Decision.choices)[form.cleaned_data["decision"]]
    messages.success(request, _("Beslissing bewaard: %(decision)s.") % {"decision": label})
    return redirect(_detail_url(submission))


@require_POST
@clerk_required(CHANGE_PERMISSION)
def submission_close_view(request: HttpRequest, reference: str) -> HttpResponse:
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, submission, status=400, close_form=form)
    try:
        triage.submission_close(submission=submission, note=form.cleaned_data["note"], actor=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Inzending afgesloten."))
    return redirect(_detail_url(submission))


def _file_response(file, content_type: str, filename: str = "") -> FileResponse:
    content_type = content_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    response = FileResponse(
        file.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


@clerk_required(VIEW_PERMISSION)
def attachment_view(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    attachment = inbox.attachment_get_for_clerk(
        user=request.user, reference=reference, attachment_id=attachment_id
    )
    return _file_response(attachment.file, attachment.content_type, attachment.original_name)


@clerk_required(VIEW_PERMISSION)
def evidence_view(request: HttpRequest, reference: str, evidence_id: int) -> FileResponse:
    evidence = inbox.evidence_get_for_clerk(user=request.user, reference=reference, evidence_id=evidence_id)
    return _file_response(evidence.file, evidence.content_type)
