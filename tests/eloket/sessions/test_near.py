"""Near matches for "I had paid by app" (eloket.sessions.near): the rules, what is stored, and the
clerk's acceptance that decides the contest in one step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from eloket.constants import DossierStatus
from eloket.models import Notification
from eloket.models.parking import SessionNearMatch
from eloket.sessions.near import (
    CONFUSABLE_PAIRS,
    LATE_START,
    MAX_NEAR_MATCHES,
    NEIGHBOURING_AREA,
    PLATE_CONFUSION,
    near_matches_find,
    plate_variants,
)
from forms.constants import SubmissionStatus
from forms.models import OrganisationLogEntry
from forms.paid_by_app import near_match_accept
from tests.factories import MunicipalityFactory, OrganisationFactory
from tests.forms.triage_helpers import clerk_make, submission_make

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def codes(near_match) -> list[str]:
    return [reason["code"] for reason in near_match.reasons]


@pytest.fixture
def neighbour(session_city):
    area = session_city.area_make("GNK-C2")
    session_city.area.neighbours.add(area)
    return area


def test_plate_variants_are_one_confusable_substitution_away():
    variants = plate_variants("1OB5")
    assert variants == {"IOB5": 0, "10B5": 1, "1O85": 2, "1OBS": 3}
    assert plate_variants("10") == {"I0": 0, "1O": 1, "1D": 1}  # a 0 may have been an O or a D
    assert "1OB5" not in variants
    assert plate_variants("XYZ") == {"XY2": 2}


def test_a_session_of_the_same_plate_in_a_neighbouring_area_at_the_time_is_near(session_city, neighbour):
    dossier = session_city.retribution()
    session = session_city.session(area=neighbour)
    [found] = near_matches_find(dossier=dossier)
    assert found.session == session and found.dossier == dossier
    assert found.reasons == [
        {"code": NEIGHBOURING_AREA, "dossier_areas": ["GNK-C1"], "session_area": "GNK-C2"}
    ]


def test_a_neighbouring_area_counts_only_at_a_covering_time(session_city, neighbour):
    dossier = session_city.retribution()
    session_city.session(area=neighbour, start=session_city.observed_at + 10 * MINUTE)
    session_city.session(area=neighbour, end_at=session_city.observed_at - 30 * MINUTE,
                         start=session_city.observed_at - 90 * MINUTE)  # fmt: skip
    assert near_matches_find(dossier=dossier) == []


def test_an_area_that_is_not_a_neighbour_is_not_near(session_city):
    dossier = session_city.retribution()
    session_city.session(area=session_city.area_make("GNK-FAR"))
    assert near_matches_find(dossier=dossier) == []


def test_the_retributions_area_is_also_found_by_its_street(session_city, neighbour):
    dossier = session_city.retribution(zone_code="", street="Sint Jansstraat")
    session_city.session(area=neighbour)
    [found] = near_matches_find(dossier=dossier)
    assert codes(found) == [NEIGHBOURING_AREA]


@pytest.mark.parametrize(
    ("minutes", "near"),
    [(4, False), (6, True), (12, True), (20, True), (21, False)],
    ids=["within-grace-exact", "just-after-grace", "within-window", "window-edge", "over-window"],
)
def test_a_session_that_started_after_the_grace_is_near_within_the_regulations_window(
    session_city, minutes, near
):
    # The regulation: 5 minutes of grace, then 15 minutes (the default) of near window.
    assert (session_city.regulation.session_grace_minutes, session_city.regulation.session_near_minutes) == (
        5,
        15,
    )
    dossier = session_city.retribution()
    session = session_city.session(start=session_city.observed_at + minutes * MINUTE)
    found = near_matches_find(dossier=dossier)
    if not near:
        assert found == []
        return
    assert [match.session for match in found] == [session]
    assert found[0].reasons == [
        {"code": LATE_START, "minutes_late": minutes, "grace_minutes": 5, "near_minutes": 15}
    ]


def test_the_late_window_is_the_regulations_not_a_constant(session_city):
    session_city.regulation.session_near_minutes = 40
    session_city.regulation.save()
    dossier = session_city.retribution()
    session_city.session(start=session_city.observed_at + 35 * MINUTE)
    [found] = near_matches_find(dossier=dossier)
    assert found.reasons[0]["minutes_late"] == 35


@pytest.mark.parametrize(
    ("written", "typed"),
    [pair for first, second in CONFUSABLE_PAIRS for pair in ((first, second), (second, first))],
)
def test_a_plate_one_confusable_character_away_is_near(session_city, written, typed):
    dossier = session_city.retribution(plate=f"1-X{written}X-777")
    session = session_city.session(plate=f"1-X{typed}X-777")
    [found] = near_matches_find(dossier=dossier)
    assert found.session == session
    assert found.reasons == [
        {
            "code": PLATE_CONFUSION,
            "dossier_plate": f"1X{written}X777",
            "session_plate": f"1X{typed}X777",
            "position": 2,
        }
    ]


def test_a_plate_two_characters_away_or_with_another_character_is_not_near(session_city):
    dossier = session_city.retribution(plate="1-ABC-123")
    session_city.session(plate="1-A8C-I23")  # two confusions
    session_city.session(plate="1-AXC-123")  # X is no confusion for B
    session_city.session(plate="1-ABC-1234")  # one more character
    assert near_matches_find(dossier=dossier) == []


def test_a_confused_plate_counts_in_a_neighbouring_area_and_at_a_late_start(session_city, neighbour):
    dossier = session_city.retribution(plate="1-ABC-123")
    session_city.session(plate="1-A8C-123", area=neighbour, start=session_city.observed_at + 10 * MINUTE)
    [found] = near_matches_find(dossier=dossier)
    assert codes(found) == [PLATE_CONFUSION, NEIGHBOURING_AREA, LATE_START]


def test_a_confused_plate_outside_the_time_is_not_near(session_city):
    dossier = session_city.retribution(plate="1-ABC-123")
    session_city.session(plate="1-A8C-123", start=session_city.observed_at + 30 * MINUTE)
    assert near_matches_find(dossier=dossier) == []


def test_another_municipality_is_not_matched_even_with_the_same_area_code(session_city):
    other = MunicipalityFactory(name_nl="Hasselt")
    elsewhere = session_city.area_make("GNK-C2", municipality=other)
    session_city.area.neighbours.add(elsewhere)  # even when an operator links it by mistake
    same_code = session_city.area_make("GNK-C1", municipality=other)
    dossier = session_city.retribution()
    session_city.session(area=elsewhere)
    session_city.session(area=same_code)
    assert near_matches_find(dossier=dossier) == []


def test_an_exact_match_is_never_listed_as_near(session_city, neighbour):
    dossier = session_city.retribution()
    session_city.session()  # same plate, same area, covering: the cross-check's
    near = session_city.session(area=neighbour)
    assert [match.session for match in near_matches_find(dossier=dossier)] == [near]
    assert SessionNearMatch.objects.count() == 1


def test_finding_twice_stores_each_session_once(session_city, neighbour):
    dossier = session_city.retribution()
    session_city.session(area=neighbour)
    session_city.session(start=session_city.observed_at + 8 * MINUTE)
    first = near_matches_find(dossier=dossier)
    second = near_matches_find(dossier=dossier)
    assert [m.pk for m in first] == [m.pk for m in second]
    assert SessionNearMatch.objects.filter(dossier=dossier).count() == 2


def test_at_most_a_handful_best_first(session_city, neighbour):
    dossier = session_city.retribution(plate="1-ABC-123")
    late = [session_city.session(start=session_city.observed_at + m * MINUTE) for m in (18, 9, 14, 7)]
    confused_late = session_city.session(plate="1-A8C-123", start=session_city.observed_at + 6 * MINUTE)
    beside = session_city.session(area=neighbour)
    found = near_matches_find(dossier=dossier)
    assert len(found) == MAX_NEAR_MATCHES
    assert found[0].session == beside  # one difference, at the time
    assert [m.session for m in found[1:]] == [late[3], late[1], late[2], late[0]]
    assert confused_late not in [m.session for m in found]  # two differences: last, and cut off


def test_a_dossier_without_an_area_plate_or_time_has_no_near_match(session_city, neighbour):
    session_city.session(area=neighbour)
    assert near_matches_find(dossier=session_city.retribution(zone_code="", street="Elders")) == []
    assert near_matches_find(dossier=session_city.retribution(plate="")) == []


# -- accepting: the contest decided upheld in one step ------------------------------------------------


@pytest.fixture
def contest(session_city, neighbour):
    dossier = session_city.retribution(notified=False, contested=True)
    session_city.session(area=neighbour, provider_session_id="EZ-991")
    submission = submission_make(
        organisation=session_city.organisation,
        dossier=dossier,
        purpose="contest",
        contest_reason="valid_session",
        form_data={"paid_by_app": True},
    )
    [near_match] = near_matches_find(dossier=dossier)
    return submission, near_match


def test_accepting_decides_the_contest_upheld_and_cancels_the_retribution(
    session_city, contest, django_capture_on_commit_callbacks
):
    submission, near_match = contest
    clerk = clerk_make(organisations=[session_city.organisation])
    with django_capture_on_commit_callbacks(execute=True):
        accepted = near_match_accept(near_match_id=near_match.pk, user=clerk)
    assert accepted.accepted_by == clerk and accepted.accepted_at is not None
    submission.refresh_from_db()
    assert (submission.status, submission.decision) == (SubmissionStatus.DECIDED, "upheld")
    assert "4411" in submission.decision_motivation and "EZ-991" in submission.decision_motivation
    assert "GNK-C2" in submission.decision_motivation
    submission.dossier.refresh_from_db()
    assert submission.dossier.status == DossierStatus.CANCELLED
    assert Notification.objects.filter(key=f"submission-decided:{submission.pk}").exists()
    actions = OrganisationLogEntry.objects.for_instance(submission).order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "eloket_forms.decide",
        "eloket_forms.near_match_accept",
    ]
    assert actions.last().data["near_match"] == near_match.pk
    with pytest.raises(ValidationError):  # nothing left to decide
        near_match_accept(near_match_id=near_match.pk, user=clerk)


def test_a_clerk_of_another_organisation_cannot_accept(session_city, contest):
    submission, near_match = contest
    stranger = clerk_make(organisations=[OrganisationFactory(name_nl="Stad Hasselt")])
    with pytest.raises(PermissionDenied):
        near_match_accept(near_match_id=near_match.pk, user=stranger)
    near_match.refresh_from_db()
    submission.refresh_from_db()
    assert near_match.accepted_at is None and submission.status == SubmissionStatus.RECEIVED
