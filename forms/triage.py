"""Writes of the clerk side: routing a new submission, and the clerk's actions on it.

Every function is keyword-only and runs in a transaction. Clerk actions write a Wagtail audit-log
entry (``eloket_forms.<action>``) and, when the submission belongs to a dossier, a timeline event.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from forms.models import ResponseTerm, RoutingRule, Submission
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
