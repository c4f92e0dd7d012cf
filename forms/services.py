"""Writes of the citizen side: a new submission, and the citizen's answer in its thread.

Both are keyword-only and all-or-nothing: files are checked before these are called
(``forms.uploads.uploads_check``), rows and files are written in one transaction, and the stored files
are deleted again when that transaction fails. Follow-ups (e-mail) go out after commit through the
outbox. The clerk's side is ``forms.triage``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eloket import services as eloket_services
from eloket.constants import TimelineEventKind
from eloket.models import Dossier, EventType, Party, User
from eloket.notifications import absolute_url, notification_queue
from eloket.outbox import outbox_emit
from forms.constants import (
    CONTESTING_PURPOSES,
    DOSSIER_PURPOSES,
    ORAL_HEARING,
    ORAL_HEARING_REFUSED,
    PURPOSE_FOR_ACTION,
    MessageAuthor,
    Purpose,
    SubmissionStatus,
)
from forms.models import FormPage, Submission, SubmissionMessage
from forms.uploads import CheckedUpload, attachment_store, attachments_delete_files

logger = logging.getLogger(__name__)

ACTION_FOR_PURPOSE = {purpose: action for action, purpose in PURPOSE_FOR_ACTION.items()}


class SubmissionRefused(ValidationError):
    """The dossier cannot take this submission (already contested, term of the action gone …)."""


@dataclass(frozen=True)
class SubmissionResult:
    submission: Submission
    created: bool


def submission_refusal(*, page: FormPage, dossier: Dossier | None, party: Party | None) -> str | None:
    """Why ``party`` cannot send ``page`` about ``dossier`` now, in the citizen's words; None if it can."""
    purpose = page.purpose
    if dossier is None:
        return _("Open dit formulier vanuit uw dossier.") if purpose in DOSSIER_PURPOSES else None
    if party is None or dossier.party_id != party.pk:
        return _("Dit dossier hoort niet bij u.")
    if dossier.organisation_id != page.organisation_id or (
        page.dossier_kinds and dossier.kind not in page.dossier_kinds
    ):
        return _("Dit formulier is niet bedoeld voor dit dossier.")
    action = ACTION_FOR_PURPOSE.get(purpose)
    policy = dossier.policy
    if action is not None and action not in policy.citizen_actions(dossier):
        if purpose in CONTESTING_PURPOSES and policy.is_on_hold(dossier):
            return _(
                "Voor dit dossier loopt al een bezwaar of verweer. U krijgt bericht zodra er een "
                "beslissing is; u kunt intussen een vraag stellen."
            )
        return _("Dit kan niet meer voor dit dossier (status: %(status)s).") % {
            "status": dossier.get_status_display()
        }
    return None


def _canonical_page(page: FormPage):
    """The form in the source language: submissions through every translation stay together on it."""
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return page
    return page.get_translations().filter(locale__language_code=settings.LANGUAGE_CODE).first() or page


def submission_create(
    *,
    page: FormPage,
    idempotency_key: str,
    form_data: dict,
    uploads: Sequence[CheckedUpload] = (),
    message: str = "",
    contest_reason: str = "",
    dossier: Dossier | None = None,
    party: Party | None = None,
    user: User | None = None,
    contact_name: str = "",
    contact_email: str = "",
    language: str = "nl",
) -> SubmissionResult:
    """File what a citizen sent through ``page`` (the form in the language they used).

    Once per ``idempotency_key``: a second call with the same key (a refresh, a double click) returns
    the first submission with ``created=False`` and writes nothing.

    Side effects, in one transaction: the submission with organisation, municipality, purpose, dossier
    and contact copied in; the citizen's first message with the attachments (files in private
    storage); team, clerk and clerk deadline (``forms.triage.submission_route``); the dossier's timeline
    (a contest or defence puts the dossier on hold, ``eloket.services.dossier_put_on_hold``; anything
    else is noted); the receipt e-mail in the outbox (sent after commit). Raises ``SubmissionRefused``
    (nothing written) when the dossier cannot take it.
    """
    existing = Submission.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return SubmissionResult(submission=existing, created=False)
    refusal = submission_refusal(page=page, dossier=dossier, party=party)
    if refusal:
        raise SubmissionRefused(refusal, code="refused")
    # The form only offers it where the law allows it; whatever sends form data is held to the same.
    allowed = page.purpose == Purpose.DEFENCE and dossier is not None
    if form_data.get(ORAL_HEARING) and not (allowed and dossier.policy.oral_hearing_allowed(dossier)):
        raise SubmissionRefused(ORAL_HEARING_REFUSED, code="oral_hearing_not_allowed")
    stored: list[str] = []
    try:
        with transaction.atomic():
            submission = _submission_write(
                page=page,
                idempotency_key=idempotency_key,
                form_data=form_data,
                message=message,
                contest_reason=contest_reason,
                dossier=dossier,
                party=party,
                user=user,
                contact_name=contact_name,
                contact_email=contact_email,
                language=language,
            )
            first = _citizen_message(submission=submission, body=message, user=user) if message else None
            for upload in uploads:
                stored.append(attachment_store(submission=submission, message=first, upload=upload).file.name)
            from forms.triage import submission_route

            submission_route(submission=submission)
            if dossier is not None:
                _dossier_note(submission=submission, user=user)
            _receipt_queue(submission=submission, page=page)
            _near_matches_after_commit(submission=submission)
            outbox_emit(  # the organisation's systems hear of it (webhooks)
                type=EventType.SUBMISSION_RECEIVED,
                organisation_id=submission.organisation_id,
                dossier=dossier,
                party_id=party.pk if party is not None else None,
                data={
                    "submission": submission.reference,
                    "purpose": submission.purpose,
                    "filed_late": submission.filed_late,
                },
            )
    except IntegrityError:
        attachments_delete_files(stored)
        existing = Submission.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return SubmissionResult(submission=existing, created=False)  # the double click that lost the race
    except BaseException:
        attachments_delete_files(stored)
        raise
    logger.info(
        "submission_created submission=%s purpose=%s organisation=%s dossier=%s late=%s",
        submission.pk,
        submission.purpose,
        submission.organisation_id,
        submission.dossier_id,
        submission.filed_late,
    )
    return SubmissionResult(submission=submission, created=True)


def _submission_write(
    *, page, idempotency_key, form_data, message, contest_reason, dossier, party, user, contact_name,
    contact_email, language,
) -> Submission:  # fmt: skip
    purpose = page.purpose
    contesting = purpose in CONTESTING_PURPOSES
    today = timezone.localdate()
    legal_due = dossier.contest_by if (dossier is not None and contesting) else None
    if party is not None and not contact_email:
        # A logged-in citizen's form asks no contact details; a dossier opened without login does.
        contact_name = party.display_name
        contact_email = party.email or (user.email if user is not None else "")
    submission = Submission(
        page=_canonical_page(page),
        idempotency_key=idempotency_key,
        form_data=form_data,
        organisation_id=page.organisation_id,
        municipality_id=dossier.municipality_id if dossier is not None else _page_municipality_id(page),
        purpose=purpose,
        dossier=dossier,
        dossier_kind=dossier.kind if dossier is not None else "",
        plate_normalised=dossier.plate_normalised if dossier is not None else "",
        party=party,
        submitted_by=user,
        contact_name=contact_name,
        contact_email=contact_email,
        language=language,
        contest_reason=contest_reason if contesting else "",
        message=message,
        legal_due=legal_due,
        filed_late=bool(legal_due and today > legal_due),
    )
    submission.full_clean(exclude=["form_data"])  # {} (a form with only the fixed fields) is valid
    submission.save()
    return submission


def _near_matches_after_commit(*, submission: Submission) -> None:
    """A contest that says "I had paid by app" has the sessions that nearly cover its retribution looked
    up for the clerk (``eloket.sessions.near``, a few indexed queries) once it is committed. The
    submission never depends on it: a failure is logged by Django (``robust``), and the clerk's screen
    then says that no session was found, as it does when there is none."""
    from forms.forms import PAID_BY_APP

    if submission.purpose != Purpose.CONTEST or submission.dossier is None:
        return
    if (submission.form_data or {}).get(PAID_BY_APP) is not True:
        return
    from eloket.sessions.near import near_matches_find

    dossier = submission.dossier
    transaction.on_commit(lambda: near_matches_find(dossier=dossier), robust=True)


def _citizen_message(*, submission: Submission, body: str, user: User | None) -> SubmissionMessage:
    message = SubmissionMessage(
        submission=submission,
        author_kind=MessageAuthor.CITIZEN,
        author=user,
        author_label=submission.contact_name,
        body=body,
    )
    message.full_clean()
    message.save()
    return message


def _page_municipality_id(page: FormPage) -> int | None:
    parent = page.get_parent().specific
    return getattr(parent, "municipality_id", None)


def _dossier_note(*, submission: Submission, user: User | None) -> None:
    if submission.purpose in CONTESTING_PURPOSES:
        eloket_services.dossier_put_on_hold(
            dossier_id=submission.dossier_id,
            actor=user,
            actor_label=submission.contact_name,
            note=submission.reference,
            data={"submission": submission.reference, "filed_late": submission.filed_late},
        )
    else:
        eloket_services.dossier_note_submission(
            dossier_id=submission.dossier_id,
            reference=submission.reference,
            purpose=submission.purpose,
            actor=user,
            actor_label=submission.contact_name,
        )


def submission_url(*, submission: Submission, language: str) -> str:
    """The absolute link to the submission in "Mijn berichten" (only for a submission with a party)."""
    with translation.override(language):
        return absolute_url(reverse("eloket_forms:submission_detail", args=[submission.reference]))


def _receipt_queue(*, submission: Submission, page: FormPage) -> None:
    context = {
        "name": submission.contact_name,
        "reference": submission.reference,
        "purpose": Purpose(submission.purpose).label,
        "custom_subject": page.email_subject,
        "custom_text": page.email_text,
        "organisation": page.organisation.name,
        "dossier_reference": submission.dossier.reference if submission.dossier_id else "",
        "legal_due": submission.legal_due,
        "filed_late": submission.filed_late,
        "link": submission_url(submission=submission, language=submission.language)
        if submission.party_id
        else "",
    }
    notification_queue(
        key=f"submission-received:{submission.reference}",
        template="submission_received",
        to_email=submission.contact_email,
        language=submission.language,
        context=context,
        party=submission.party,
        dossier=submission.dossier,
        user=submission.submitted_by,
    )


def _answer_record(*, submission: Submission, message: SubmissionMessage, user: User | None) -> None:
    """The answer in the audit log (the clerk's history of the submission) and on the dossier's timeline."""
    from wagtail.log_actions import log

    from forms.triage import ACTION_ANSWER

    log(instance=submission, action=ACTION_ANSWER, user=user, data={"message": message.pk})
    if submission.dossier_id:
        eloket_services.dossier_timeline_note(
            dossier_id=submission.dossier_id,
            kind=TimelineEventKind.INFO_RECEIVED,
            actor=user,
            actor_label=submission.contact_name,
            note=submission.reference,
            data={"submission": submission.reference, "message": message.pk},
        )


def submission_answer(
    *,
    submission_id: int,
    party: Party,
    body: str,
    uploads: Sequence[CheckedUpload] = (),
    user: User | None = None,
) -> SubmissionMessage:
    """The citizen answers the clerk's request for information, in the same thread.

    Side effects: a citizen message with its attachments; the submission goes from ``info_requested``
    to ``info_received`` (back on the clerk's pile). Refused with ``ValidationError`` when no
    information is asked; ``Submission.DoesNotExist`` for another party's submission.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission_id, party=party)
            if submission.status != SubmissionStatus.INFO_REQUESTED:
                raise ValidationError(
                    _("Er wordt geen informatie meer gevraagd; uw antwoord is misschien al ontvangen."),
                    code="not_requested",
                )
            message = _citizen_message(submission=submission, body=body, user=user)
            for upload in uploads:
                attachment = attachment_store(submission=submission, message=message, upload=upload)
                stored.append(attachment.file.name)
            submission.status = SubmissionStatus.INFO_RECEIVED
            submission.save(update_fields=["status", "updated_at"])
            _answer_record(submission=submission, message=message, user=user)
    except BaseException:
        attachments_delete_files(stored)
        raise
    logger.info("submission_answered submission=%s message=%s", submission.pk, message.pk)
    return message
