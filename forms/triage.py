"""Writes of the clerk side: routing a new submission, and the clerk's actions on it.

Every function is keyword-only and runs in a transaction. Each clerk action writes a Wagtail audit-log
entry (``eloket_forms.<action>``, labels registered in ``forms.wagtail_hooks``) and, when the
submission is about a dossier, a timeline event where the dossier's timeline has a kind for it
(``TIMELINE_KIND``). Messages to the citizen go out through ``eloket.notifications.notification_queue``.
Callers check that the acting clerk may see the submission (``forms.inbox``); these functions check
what the action itself needs (an assignee of the same organisation, a contest to decide).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from eloket import services as dossier_services
from eloket.constants import Decision, TimelineEventKind
from eloket.models import User
from eloket.money import format_eur
from eloket.notifications import absolute_url, notification_queue
from forms.constants import CONTESTING_PURPOSES, OPEN_STATUSES, MessageAuthor, Purpose, SubmissionStatus
from forms.models import ResponseTerm, RoutingRule, SavedFilter, Submission, SubmissionMessage
from forms.workdays import add_working_days

logger = logging.getLogger(__name__)

DEFAULT_RESPONSE_WORKING_DAYS = 10

CLERK_GROUP_NAME = "Behandelaars"
# (app label, codename): admin access, the inbox, and the organisation's own triage settings. Which
# organisation's rows a clerk sees is decided by their StaffMemberships, never by these permissions.
CLERK_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("eloket_forms", "view_submission"),
    ("eloket_forms", "change_submission"),
    *(
        ("eloket_forms", f"{action}_{model}")
        for model in ("team", "routingrule", "responseterm", "standardreply")
        for action in ("add", "change", "delete", "view")
    ),
    # The organisation's payments (eloket.payments): see them, confirm manual refunds, resolve bank
    # movements, import CODA statements. Every screen is scoped to the clerk's organisations.
    ("eloket", "view_payment"),
    ("eloket", "view_refund"),
    ("eloket", "change_refund"),
    ("eloket", "view_bankmovement"),
    ("eloket", "change_bankmovement"),
    ("eloket", "add_codaimport"),
    # Letters by post (eloket.letters): the organisation's batches for the print house, and its own
    # letter texts.
    ("eloket", "view_letterbatch"),
    *(("eloket", f"{action}_lettertext") for action in ("add", "change", "delete", "view")),
)


def routing_rule_for(*, submission: Submission) -> RoutingRule | None:
    """The first rule of the submission's organisation (by priority) that matches its purpose, dossier
    kind and municipality; an empty criterion matches anything."""
    rules = RoutingRule.objects.filter(organisation_id=submission.organisation_id).filter(
        Q(purpose="") | Q(purpose=submission.purpose),
        Q(dossier_kind="") | Q(dossier_kind=submission.dossier_kind),
        Q(municipality__isnull=True) | Q(municipality_id=submission.municipality_id),
    )
    return rules.order_by("priority", "id").first()


def response_working_days(*, organisation_id: int, purpose: str) -> int:
    term = ResponseTerm.objects.filter(organisation_id=organisation_id, purpose=purpose).first()
    return term.working_days if term else DEFAULT_RESPONSE_WORKING_DAYS


@transaction.atomic
def submission_route(*, submission: Submission) -> None:
    """Give a new submission its team or clerk (the first matching routing rule) and its clerk deadline
    (the day it arrived plus the organisation's response term for the purpose, in working days;
    ``DEFAULT_RESPONSE_WORKING_DAYS`` without one). Called by ``forms.services.submission_create``.

    Side effects: saves ``team``, ``assignee`` and ``clerk_due`` on the submission.
    """
    rule = routing_rule_for(submission=submission)
    if rule is not None:
        submission.team_id = rule.team_id
        submission.assignee_id = rule.assignee_id
    received = timezone.localdate(submission.submit_time or timezone.now())
    days = response_working_days(organisation_id=submission.organisation_id, purpose=submission.purpose)
    submission.clerk_due = add_working_days(received, days)
    submission.save(update_fields=["team", "assignee", "clerk_due", "updated_at"])
    logger.info(
        "submission_routed submission=%s rule=%s clerk_due=%s",
        submission.pk,
        rule.pk if rule else None,
        submission.clerk_due,
    )


@transaction.atomic
def clerk_group_ensure() -> Group:
    """The group "Behandelaars" with ``CLERK_PERMISSIONS``. Idempotent; only adds what is missing.

    A clerk is a staff login in this group with an ``eloket.StaffMembership`` per organisation; without
    a membership the inbox is empty.
    """
    group, _created = Group.objects.get_or_create(name=CLERK_GROUP_NAME)
    for app_label, codename in CLERK_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


# --- clerk actions ---------------------------------------------------------------------------------

# The audit-log actions (labels in forms.wagtail_hooks).
ACTION_ASSIGN = "eloket_forms.assign"
ACTION_REQUEST_INFORMATION = "eloket_forms.request_information"
ACTION_REPLY = "eloket_forms.reply"
ACTION_DECIDE = "eloket_forms.decide"
ACTION_CLOSE = "eloket_forms.close"

# The dossier timeline event of each action, where the timeline has a kind for it. Its kinds are shown
# to the citizen; an assignment is internal and has no event. A decision's event is written by
# eloket.services.dossier_decide.
TIMELINE_KIND = {
    ACTION_ASSIGN: TimelineEventKind.SUBMISSION_ASSIGNED,
    ACTION_REQUEST_INFORMATION: TimelineEventKind.INFO_REQUESTED,
    ACTION_REPLY: TimelineEventKind.SUBMISSION,
    ACTION_CLOSE: TimelineEventKind.SUBMISSION_CLOSED,
}
# The citizen's answer to an information request (forms.services.submission_answer).
ACTION_ANSWER = "eloket_forms.answer"

# Questions and complaints are done once answered.
CLOSED_BY_REPLY = frozenset({Purpose.QUESTION, Purpose.COMPLAINT})


def _locked(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=submission.pk)
    )


def _require_open(submission: Submission) -> None:
    if submission.status not in OPEN_STATUSES:
        raise ValidationError(_("Deze inzending is al afgehandeld."), code="not_open")


def _actor_label(submission: Submission) -> str:
    return str(submission.organisation)


def _record(*, submission: Submission, action: str, actor: User | None, data: dict, note: str = "") -> None:
    """The audit-log entry and, where the timeline has a kind for the action, the dossier's event."""
    log(instance=submission, action=action, user=actor, data=data)
    kind = TIMELINE_KIND.get(action)
    if kind and submission.dossier_id:
        dossier_services.dossier_timeline_note(
            dossier_id=submission.dossier_id,
            kind=kind,
            actor=actor,
            actor_label=_actor_label(submission),
            note=note,
            # An internal note (closing) stays in the audit log: the timeline is the citizen's.
            data={"submission": submission.reference, **{k: v for k, v in data.items() if k != "note"}},
        )


def clerk_may_handle(*, user: User, organisation_id: int) -> bool:
    """An active staff login with a membership of the organisation (a superuser always)."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.staff_memberships.filter(organisation_id=organisation_id).exists()


@transaction.atomic
def submission_assign(*, submission: Submission, assignee: User | None, actor: User) -> Submission:
    """Give the submission to ``assignee`` (None: to nobody). The assignee must be a clerk of the
    submission's organisation. A received submission is then in progress."""
    submission = _locked(submission)
    if assignee is not None and not (
        assignee.is_active
        and assignee.is_staff
        and assignee.staff_memberships.filter(organisation_id=submission.organisation_id).exists()
    ):
        raise ValidationError(
            {"assignee": _("Deze persoon behandelt geen inzendingen van deze organisatie.")},
            code="not_a_clerk",
        )
    previous = submission.assignee_id
    submission.assignee = assignee
    if assignee is not None and submission.status == SubmissionStatus.RECEIVED:
        submission.status = SubmissionStatus.IN_PROGRESS
    submission.full_clean(exclude=["form_data"])  # {} is valid: a form with only the fixed fields
    submission.save(update_fields=["assignee", "status", "updated_at"])
    _record(
        submission=submission,
        action=ACTION_ASSIGN,
        actor=actor,
        data={"from": previous, "to": assignee.pk if assignee else None},
    )
    logger.info(
        "submission_assigned submission=%s assignee=%s", submission.pk, assignee.pk if assignee else None
    )
    return submission


def submission_assign_bulk(*, submissions, assignee: User | None, actor: User) -> tuple[int, list[str]]:
    """Assign several submissions; each in its own transaction. Returns how many were assigned and the
    references that could not be (their assignee is not a clerk of their organisation)."""
    done, refused = 0, []
    for submission in submissions:
        try:
            submission_assign(submission=submission, assignee=assignee, actor=actor)
        except ValidationError:
            refused.append(submission.reference)
        else:
            done += 1
    return done, refused


def citizen_submission_url(submission: Submission) -> str:
    """Where the citizen reads the thread of their submission, in their language (absolute)."""
    with translation.override(submission.language or "nl"):
        try:
            path = reverse("eloket_forms:submission_detail", args=[submission.reference])
        except NoReverseMatch:
            path = f"/{submission.language or 'nl'}/mijn/berichten/{submission.reference}/"
    return absolute_url(path)


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    text: str
    html: str


def message_email_context(*, submission: Submission, body: str, requests_information: bool) -> dict:
    return {
        "submission": submission,
        "organisation_name": _organisation_name(submission),
        "body": body,
        "requests_information": requests_information,
        "url": citizen_submission_url(submission),
        "contact_name": submission.contact_name,
    }


def _organisation_name(submission: Submission) -> str:
    with translation.override(submission.language or "nl"):
        return submission.organisation.name


def email_preview(*, template: str, context: dict, language: str) -> EmailPreview:
    """The e-mail exactly as ``notification_queue`` would render it, without queueing it."""
    from django.conf import settings

    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(language or "nl"):
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    return EmailPreview(subject=subject, text=text, html=html)


def _message_add(
    *, submission: Submission, body: str, actor: User, requests_information: bool
) -> SubmissionMessage:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Schrijf een bericht.")}, code="empty")
    message = SubmissionMessage(
        submission=submission,
        author_kind=MessageAuthor.CLERK,
        author=actor,
        author_label=_actor_label(submission),
        body=body,
        requests_information=requests_information,
    )
    message.full_clean()
    message.save()
    notification_queue(
        key=f"submission-message:{message.pk}",
        template="submission_message",
        to_email=submission.contact_email,
        language=submission.language or "nl",
        context=message_email_context(
            submission=submission, body=body, requests_information=requests_information
        ),
        party=submission.party,
        dossier=submission.dossier,
    )
    return message


@transaction.atomic
def submission_request_information(*, submission: Submission, body: str, actor: User) -> SubmissionMessage:
    """Ask the citizen for more: a message that asks for information (e-mailed), status "waiting for your
    information" until they answer in the thread."""
    submission = _locked(submission)
    _require_open(submission)
    message = _message_add(submission=submission, body=body, actor=actor, requests_information=True)
    submission.status = SubmissionStatus.INFO_REQUESTED
    submission.save(update_fields=["status", "updated_at"])
    _record(
        submission=submission, action=ACTION_REQUEST_INFORMATION, actor=actor, data={"message": message.pk}
    )
    logger.info("submission_information_requested submission=%s message=%s", submission.pk, message.pk)
    return message


@transaction.atomic
def submission_reply(
    *, submission: Submission, body: str, actor: User, close: bool = False
) -> SubmissionMessage:
    """Answer the citizen (e-mailed). The submission is in progress again, or closed when ``close``
    (the usual end of a question or complaint, ``CLOSED_BY_REPLY``)."""
    submission = _locked(submission)
    _require_open(submission)
    message = _message_add(submission=submission, body=body, actor=actor, requests_information=False)
    if close:
        submission.status = SubmissionStatus.CLOSED
        submission.closed_at = timezone.now()
    else:
        submission.status = SubmissionStatus.IN_PROGRESS
    submission.save(update_fields=["status", "closed_at", "updated_at"])
    _record(
        submission=submission, action=ACTION_REPLY, actor=actor, data={"message": message.pk, "closed": close}
    )
    logger.info("submission_replied submission=%s message=%s closed=%s", submission.pk, message.pk, close)
    return message


def decision_email_context(
    *, submission: Submission, decision: str, motivation: str, amount_cents: int | None
) -> dict:
    with translation.override(submission.language or "nl"):
        decision_label = str(Decision(decision).label) if decision in Decision.values else ""
    return {
        "submission": submission,
        "organisation_name": _organisation_name(submission),
        "dossier_reference": submission.dossier.reference if submission.dossier_id else "",
        "decision": decision,
        "decision_label": decision_label,
        "motivation": motivation,
        "amount": format_eur(amount_cents) if amount_cents is not None else "",
        "url": citizen_submission_url(submission),
        "contact_name": submission.contact_name,
    }


@transaction.atomic
def submission_decide(
    *, submission: Submission, decision: str, motivation: str, actor: User, amount_cents: int | None = None
) -> Submission:
    """Decide a contest or defence. The dossier changes through ``eloket.services.dossier_decide``
    (upheld: cancelled; partly upheld: the new amount; rejected: payable again with the policy's new
    term), which writes the timeline event. The motivation goes to the citizen in the thread and by
    e-mail; the submission is decided.

    Raises ValidationError (nothing written) for a missing motivation, a purpose that is not a contest,
    a dossier with nothing to decide, or an amount the policy refuses.
    """
    submission = _locked(submission)
    _require_open(submission)
    motivation = motivation.strip()
    if not motivation:
        raise ValidationError({"motivation": _("Motiveer de beslissing.")}, code="no_motivation")
    if submission.purpose not in CONTESTING_PURPOSES or submission.dossier_id is None:
        raise ValidationError(_("Alleen over een bezwaar of verweer wordt beslist."), code="not_contest")
    if decision != Decision.PARTLY_UPHELD:
        amount_cents = None
    dossier_services.dossier_decide(
        dossier_id=submission.dossier_id,
        decision=decision,
        motivation=motivation,
        amount_cents=amount_cents,
        actor=actor,
        actor_label=_actor_label(submission),
        data={"submission": submission.reference},
    )
    now = timezone.now()
    submission.decision = decision
    submission.decision_amount_cents = amount_cents
    submission.decision_motivation = motivation
    submission.decided_at = now
    submission.status = SubmissionStatus.DECIDED
    submission.full_clean(exclude=["form_data"])  # {} is valid: a form with only the fixed fields
    submission.save(
        update_fields=[
            "decision",
            "decision_amount_cents",
            "decision_motivation",
            "decided_at",
            "status",
            "updated_at",
        ]
    )
    message = SubmissionMessage(
        submission=submission,
        author_kind=MessageAuthor.CLERK,
        author=actor,
        author_label=_actor_label(submission),
        body=motivation,
    )
    message.full_clean()
    message.save()
    notification_queue(
        key=f"submission-decided:{submission.pk}",
        template="submission_decided",
        to_email=submission.contact_email,
        language=submission.language or "nl",
        context=decision_email_context(
            submission=submission, decision=decision, motivation=motivation, amount_cents=amount_cents
        ),
        party=submission.party,
        dossier=submission.dossier,
    )
    log(
        instance=submission,
        action=ACTION_DECIDE,
        user=actor,
        data={"decision": decision, "amount_cents": amount_cents, "message": message.pk},
    )
    logger.info("submission_decided submission=%s decision=%s", submission.pk, decision)
    return submission


@transaction.atomic
def submission_close(*, submission: Submission, note: str, actor: User) -> Submission:
    """Close without a decision (answered elsewhere, withdrawn, a duplicate). The note stays internal:
    it goes to the audit log, not to the citizen."""
    submission = _locked(submission)
    _require_open(submission)
    submission.status = SubmissionStatus.CLOSED
    submission.closed_at = timezone.now()
    submission.save(update_fields=["status", "closed_at", "updated_at"])
    _record(submission=submission, action=ACTION_CLOSE, actor=actor, data={"note": note.strip()[:1000]})
    logger.info("submission_closed submission=%s", submission.pk)
    return submission


# --- saved filters ----------------------------------------------------------------------------------


@transaction.atomic
def saved_filter_save(*, user: User, name: str, query: str) -> SavedFilter:
    """Save the inbox's query string under a name (the same name again replaces it)."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    params.pop("p", None)  # a filter, not a page of it
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, name=name.strip()[:100], defaults={"query": params.urlencode()[:1000]}
    )
    saved.full_clean()
    return saved


@transaction.atomic
def saved_filter_delete(*, user: User, saved_filter_id: int) -> bool:
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=saved_filter_id).delete()
    return bool(deleted)
