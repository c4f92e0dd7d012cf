"""Every clerk action, and the citizen's answer, is in Wagtail's audit log and on the dossier's timeline."""

import pytest

from eloket.constants import TimelineEventKind
from forms import services, triage
from forms.constants import SubmissionStatus
from forms.models import OrganisationLogEntry, Submission
from tests.forms.clerk_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _kinds(submission: Submission) -> list[str]:
    return list(submission.dossier.timeline.values_list("kind", flat=True))


def _actions(submission: Submission) -> set[str]:
    entries = OrganisationLogEntry.objects.filter(object_id=str(submission.pk))
    return set(entries.values_list("action", flat=True))


def test_taking_asking_answering_and_closing_each_leave_a_trace(genk_contest, genk_clerk):
    submission = genk_contest
    triage.submission_assign(submission=submission, assignee=genk_clerk, actor=genk_clerk)
    triage.submission_request_information(submission=submission, body="Welk ticket?", actor=genk_clerk)
    services.submission_answer(submission_id=submission.pk, party=submission.party, body="Ticket 123.")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.INFO_RECEIVED
    triage.submission_close(submission=submission, note="Dubbel ingediend.", actor=genk_clerk)

    kinds = _kinds(submission)
    for kind in (
        TimelineEventKind.SUBMISSION_ASSIGNED,
        TimelineEventKind.INFO_REQUESTED,
        TimelineEventKind.INFO_RECEIVED,
        TimelineEventKind.SUBMISSION_CLOSED,
    ):
        assert kind in kinds, kind
    closing = submission.dossier.timeline.get(kind=TimelineEventKind.SUBMISSION_CLOSED)
    assert "Dubbel ingediend." not in f"{closing.note} {closing.data}", (
        "an internal note reached the timeline"
    )
    assert {
        triage.ACTION_ASSIGN,
        triage.ACTION_REQUEST_INFORMATION,
        triage.ACTION_ANSWER,
        triage.ACTION_CLOSE,
    } <= (_actions(submission))
