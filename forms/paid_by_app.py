"""Accepting a near match ("I had paid by app"): the clerk's one step that decides the contest upheld.

The search itself is the e-loket's (``eloket.sessions.near.near_matches_find``); deciding a contest is
the forms app's (``forms.triage.submission_decide``), so the acceptance that joins them lives here and
``eloket`` never imports ``forms``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from eloket.constants import Decision
from eloket.models import User
from eloket.models.parking import SessionNearMatch
from forms.constants import CONTESTING_PURPOSES, OPEN_STATUSES
from forms.models import Submission
from forms.triage import clerk_may_handle, submission_decide

logger = logging.getLogger(__name__)

# The audit-log action of an acceptance, on the submission (label in forms.wagtail_hooks).
ACTION_NEAR_MATCH_ACCEPT = "eloket_forms.near_match_accept"


def local_time_text(value: dt.datetime | None) -> str:
    """A time as the clerk and the citizen read it: local, day first."""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def acceptance_motivation(*, near_match: SessionNearMatch, language: str) -> str:
    """The decision's motivation, in the citizen's language: the provider, the session and its times."""
    session = near_match.session
    with translation.override(language or "nl"):
        values = {
            "provider": session.provider.name,
            "session": session.provider_session_id,
            "start": local_time_text(session.start_at),
            "area": session.area_code,
        }
        if session.end_at is None:
            text = _(
                "Uw bezwaar is gegrond. U had betaald via %(provider)s: parkeersessie %(session)s in zone "
                "%(area)s, gestart op %(start)s. De retributie is geannuleerd; u hoeft niets te betalen."
            )
        else:
            values["end"] = local_time_text(session.end_at)
            text = _(
                "Uw bezwaar is gegrond. U had betaald via %(provider)s: parkeersessie %(session)s in zone "
                "%(area)s, van %(start)s tot %(end)s. De retributie is geannuleerd; u hoeft niets te "
                "betalen."
            )
        return text % values


def _open_contest(dossier_id: int, submission_id: int | None) -> Submission | None:
    submissions = Submission.objects.filter(
        dossier_id=dossier_id, purpose__in=CONTESTING_PURPOSES, status__in=OPEN_STATUSES
    )
    if submission_id is not None:
        submissions = submissions.filter(pk=submission_id)
    return submissions.order_by("-submit_time", "-id").first()


def near_match_accept(
    *, near_match_id: int, user: User, submission_id: int | None = None
) -> SessionNearMatch:
    """The clerk accepts a near match: the open contest of its dossier (``submission_id`` when the
    caller knows it) is decided upheld through ``forms.triage.submission_decide`` (the retribution is
    cancelled, anything paid refunded, the citizen gets the decision mail with a motivation naming the
    provider, the session and its times) and the near match is marked accepted, with an audit-log entry
    (``ACTION_NEAR_MATCH_ACCEPT``) beside the decision's, in one transaction.

    Raises ``PermissionDenied`` when ``user`` is no clerk of the submission's organisation, and
    ``ValidationError`` (nothing written) when it was accepted already or no contest is open.
    """
    with transaction.atomic():
        near_match = (
            SessionNearMatch.objects.select_for_update(of=("self",))
            .select_related("session__provider", "dossier")
            .get(pk=near_match_id)
        )
        submission = _open_contest(near_match.dossier_id, submission_id)
        if submission is None:
            raise ValidationError(_("Er loopt geen bezwaar meer voor dit dossier."), code="no_contest")
        if not clerk_may_handle(user=user, organisation_id=submission.organisation_id):
            raise PermissionDenied
        if near_match.accepted_at is not None:
            raise ValidationError(_("Deze parkeersessie werd al aanvaard."), code="already_accepted")
        submission_decide(
            submission=submission,
            decision=Decision.UPHELD,
            motivation=acceptance_motivation(near_match=near_match, language=submission.language),
            actor=user,
        )
        near_match.accepted_at = timezone.now()
        near_match.accepted_by = user
        near_match.save(update_fields=["accepted_at", "accepted_by"])
        log(
            instance=submission,
            action=ACTION_NEAR_MATCH_ACCEPT,
            user=user,
            data={
                "near_match": near_match.pk,
                "session": near_match.session_id,
                "provider": near_match.session.provider_id,
                "reasons": [reason.get("code") for reason in near_match.reasons],
            },
        )
    logger.info(
        "session_near_match_accepted near_match=%s dossier=%s submission=%s",
        near_match.pk,
        near_match.dossier_id,
        submission.pk,
    )
    return near_match
