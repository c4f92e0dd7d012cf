import datetime as dt

import pytest
import time_machine

from eloket.constants import DossierKind
from forms.models import ResponseTerm, RoutingRule, Team
from forms.triage import submission_route
from tests.factories import (
    DossierFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    person_party,
)
from tests.forms.triage_helpers import submission_make

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def organisation():
    return OrganisationFactory()


def test_the_first_matching_rule_by_priority_assigns_the_team(organisation):
    fines, questions = (
        Team.objects.create(organisation=organisation, name="Boetes"),
        Team.objects.create(organisation=organisation, name="Vragen"),
    )
    RoutingRule.objects.create(organisation=organisation, priority=50, purpose="contest", team=fines)
    RoutingRule.objects.create(organisation=organisation, priority=10, purpose="question", team=questions)
    RoutingRule.objects.create(organisation=organisation, priority=90, team=fines)
    submission = submission_make(organisation=organisation, purpose="question")
    submission_route(submission=submission)
    submission.refresh_from_db()
    assert submission.team == questions


def test_empty_criteria_match_any_and_specific_ones_must_match(organisation):
    genk, hasselt = MunicipalityFactory(), MunicipalityFactory()
    clerk = UserFactory(is_staff=True)
    team = Team.objects.create(organisation=organisation, name="Genk")
    RoutingRule.objects.create(
        organisation=organisation, priority=1, municipality=hasselt, dossier_kind=DossierKind.GAS4, team=team
    )
    RoutingRule.objects.create(organisation=organisation, priority=2, assignee=clerk)
    dossier = DossierFactory(
        party=person_party(), organisation=organisation, municipality=genk, notified=True
    )
    submission = submission_make(organisation=organisation, dossier=dossier, purpose="contest")
    submission_route(submission=submission)
    submission.refresh_from_db()
    assert submission.team is None
    assert submission.assignee == clerk


def test_rules_of_another_organisation_are_ignored(organisation):
    other = OrganisationFactory()
    RoutingRule.objects.create(
        organisation=other, priority=1, team=Team.objects.create(organisation=other, name="X")
    )
    submission = submission_make(organisation=organisation)
    submission_route(submission=submission)
    submission.refresh_from_db()
    assert submission.team is None and submission.assignee is None


@time_machine.travel(MONDAY, tick=False)
def test_the_clerk_deadline_counts_the_response_term_in_working_days(organisation):
    ResponseTerm.objects.create(organisation=organisation, purpose="contest", working_days=5)
    contest = submission_make(organisation=organisation, purpose="contest")
    question = submission_make(organisation=organisation, purpose="question")
    submission_route(submission=contest)
    submission_route(submission=question)
    contest.refresh_from_db()
    question.refresh_from_db()
    assert contest.clerk_due == dt.date(2025, 3, 10)
    # No term for questions: the default of 10 working days.
    assert question.clerk_due == dt.date(2025, 3, 17)


@time_machine.travel(dt.datetime(2025, 4, 18, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_deadline_skips_easter_monday(organisation):
    ResponseTerm.objects.create(organisation=organisation, purpose="question", working_days=1)
    submission = submission_make(organisation=organisation, purpose="question")
    submission_route(submission=submission)
    submission.refresh_from_db()
    assert submission.clerk_due == dt.date(2025, 4, 22)
