"""What citizens send and what clerks decide reaches the outbox once, in the same transaction."""

from __future__ import annotations

import pytest

from eloket.constants import Decision, DossierStatus
from eloket.models import EventType, OutboxEvent
from forms import services, triage
from forms.constants import ContestReason, Purpose
from tests.factories import DossierFactory, UserFactory, person_party
from tests.forms import conftest as forms_fixtures
from tests.forms.citizen_helpers import form_page_make
from tests.forms.triage_helpers import clerk_make, submission_make

pytestmark = pytest.mark.django_db

# The forms tests' page tree (Genk's city page) and the organisation that handles Genk's forms.
municipalities = forms_fixtures.municipalities
locales = forms_fixtures.locales
home_page = forms_fixtures.home_page
genk_page = forms_fixtures.genk_page
genk_city = forms_fixtures.genk_city
_reset_language = forms_fixtures._reset_language


def events_of(event_type: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(type=event_type).order_by("id"))


def test_a_contest_gives_one_submission_event_also_when_sent_twice(genk_page, genk_city, municipalities):
    page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST)
    party = person_party(name="Anna Aerts", user=UserFactory())
    dossier = DossierFactory(
        party=party, organisation=genk_city, municipality=municipalities["genk"], notified=True
    )
    for _click in range(2):  # a double click: the same idempotency key
        result = services.submission_create(
            page=page,
            idempotency_key="contest-anna-1",
            form_data={},
            message="Ik had een ticket.",
            contest_reason=ContestReason.VALID_TICKET,
            dossier=dossier,
            party=party,
        )

    (event,) = events_of(EventType.SUBMISSION_RECEIVED)
    submission = result.submission
    assert (event.organisation_id, event.dossier_id, event.party_id) == (genk_city.pk, dossier.pk, party.pk)
    assert event.data == {"submission": submission.reference, "purpose": Purpose.CONTEST, "filed_late": False}


def test_an_anonymous_question_gives_a_submission_event_without_dossier_or_party(genk_page, genk_city):
    page = form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.QUESTION, allow_anonymous=True
    )
    services.submission_create(
        page=page,
        idempotency_key="question-1",
        form_data={"onderwerp": "Parkeren"},
        message="Waar kan ik parkeren?",
        contact_name="Piet Peeters",
        contact_email="piet@example.be",
    )

    (event,) = events_of(EventType.SUBMISSION_RECEIVED)
    assert (event.organisation_id, event.dossier_id, event.party_id) == (genk_city.pk, None, None)
    assert "piet" not in str(event.data).lower()


def test_a_clerks_decision_gives_one_decision_event(genk_city, municipalities):
    dossier = DossierFactory(
        party=person_party(), organisation=genk_city, municipality=municipalities["genk"], contested=True
    )
    submission = submission_make(organisation=genk_city, dossier=dossier, purpose=Purpose.CONTEST)
    clerk = clerk_make(organisations=[genk_city])

    triage.submission_decide(
        submission=submission,
        decision=Decision.PARTLY_UPHELD,
        motivation="Half terecht.",
        amount_cents=1000,
        actor=clerk,
    )

    (event,) = events_of(EventType.DECISION)
    assert event.dossier_id == dossier.pk
    assert event.data == {
        "submission": submission.reference,
        "decision": Decision.PARTLY_UPHELD,
        "amount_from_cents": 2000,
        "amount_to_cents": 1000,
    }
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED
