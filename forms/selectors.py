"""Reads of the citizen side. Submissions and attachments are scoped to the acting party: another
party's submission is a 404. Form pages are public content: only live pages without view restrictions.
The clerk side reads through ``forms.inbox``."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from eloket.models import Dossier, Party
from forms.constants import DOSSIER_PURPOSES
from forms.models import FormPage, Submission, SubmissionAttachment, SubmissionMessage


def form_page_for_dossier(*, dossier: Dossier, purpose: str, language: str | None = None) -> FormPage | None:
    """The live form of the dossier's organisation for ``purpose`` that serves the dossier's kind.

    A form under the city page of the dossier's municipality wins over one of the same organisation
    elsewhere (a GAS service serving several towns); then the translation in ``language`` (default: the
    active one), else the Dutch one. None when the organisation has no such form.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    candidates = [
        page
        for page in FormPage.objects.live()
        .public()
        .filter(organisation_id=dossier.organisation_id, purpose=purpose)
        .select_related("locale")
        .order_by("path")
        if dossier.kind in (page.dossier_kinds or [])
    ]
    if not candidates:
        return None
    municipality_by_parent_path = _city_municipalities({page.path[: -Page.steplen] for page in candidates})
    groups: dict = {}
    for page in candidates:
        groups.setdefault(page.translation_key, []).append(page)

    def group_rank(pages: list[FormPage]) -> tuple[int, str]:
        local = any(
            municipality_by_parent_path.get(page.path[: -Page.steplen]) == dossier.municipality_id
            for page in pages
        )
        return (0 if local else 1, min(page.path for page in pages))

    best = min(groups.values(), key=group_rank)
    by_language = {page.locale.language_code: page for page in best}
    return by_language.get(language) or by_language.get(settings.LANGUAGE_CODE) or best[0]


def _city_municipalities(paths: set[str]) -> dict[str, int]:
    from home.models import CityPage

    return dict(CityPage.objects.filter(path__in=paths).values_list("path", "municipality_id"))


def form_pages_for_city(*, city_page) -> list[FormPage]:
    """The forms on a city page that anyone can open from there (questions and complaints); forms about
    a dossier are reached from the dossier page."""
    return list(
        FormPage.objects.child_of(city_page)
        .live()
        .public()
        .exclude(purpose__in=DOSSIER_PURPOSES)
        .order_by("path")
    )


def submission_list(*, party: Party) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(party=party)
        .select_related("dossier", "organisation")
        .order_by("-submit_time", "-id")
    )


def submission_get(*, party: Party | None, reference: str) -> Submission:
    if party is None:
        raise Http404
    attachments = SubmissionAttachment.objects.order_by("created_at", "id")
    submission = (
        Submission.objects.filter(party=party, reference=reference)
        .select_related("dossier", "organisation", "municipality")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=SubmissionMessage.objects.prefetch_related(Prefetch("attachments", attachments)),
            ),
            Prefetch("attachments", attachments),
        )
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def attachment_get(*, party: Party | None, reference: str, attachment_id: int) -> SubmissionAttachment:
    if party is None:
        raise Http404
    attachment = (
        SubmissionAttachment.objects.filter(
            pk=attachment_id, submission__reference=reference, submission__party=party
        )
        .select_related("submission")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def submission_for_confirmation(*, reference: str, party: Party | None, allowed: list[str]) -> Submission:
    """The submission a confirmation page may show: the acting party's own, or one this browser just
    sent (its reference is in the session, for a question without login)."""
    queryset = Submission.objects.select_related("dossier", "page")
    submission = queryset.filter(reference=reference).first()
    if submission is None:
        raise Http404
    own = party is not None and submission.party_id == party.pk
    if not own and reference not in allowed:
        raise Http404
    return submission


def submission_answers(*, submission: Submission) -> list[tuple[str, str]]:
    """The editor's fields as (label in the active language, answer), in the form's order; answers to
    fields that were removed since keep their key as label."""
    page = submission.page.specific
    labels: dict[str, str] = {}
    if isinstance(page, FormPage):
        labels = {field.clean_name: field.label for field in page.localized.get_form_fields()}
    data = submission.form_data or {}
    keys = [key for key in labels if key in data] + [key for key in data if key not in labels]
    return [
        (labels.get(key, key), _answer_text(data[key])) for key in keys if data[key] not in ("", None, [])
    ]


def _answer_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return str(_("ja") if value else _("nee"))
    return str(value)
