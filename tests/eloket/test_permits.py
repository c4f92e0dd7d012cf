"""The permit cross-check: a retribution covered by a valid permit of the same municipality, for that
plate, place and time, is cancelled by permit, at import and retroactively when the permit comes later."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from eloket import services
from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.models import EventType, OutboxEvent, PermitMatch, PermitScope
from eloket.permits import permit_covering, permit_cross_check
from tests.factories import DossierFactory, MunicipalityFactory, OrganisationFactory, person_party

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def city():
    municipality = MunicipalityFactory()
    return municipality, OrganisationFactory(municipalities=[municipality])


def permit(city, **kwargs):
    municipality, organisation = city
    values = {
        "kind": DossierKind.RESIDENT_PERMIT,
        "municipality": municipality,
        "organisation": organisation,
        "plate": "1-ABC-123",
        "street": "",
        "zone_code": "Zone A",
        "valid_from": NOW - dt.timedelta(days=30),
        "valid_until": NOW + dt.timedelta(days=30),
        "occurred_at": None,
        "party": person_party(),
        "active": True,
    }
    values.update(kwargs)
    return DossierFactory(**values)


def retribution(city, **kwargs):
    municipality, organisation = city
    values = {
        "municipality": municipality,
        "organisation": organisation,
        "plate": "1ABC123",
        "street": "Kerkstraat",
        "zone_code": "zone a",
        "occurred_at": NOW - dt.timedelta(days=2),
        "party": person_party(),
        "notified": True,
    }
    values.update(kwargs)
    return DossierFactory(**values)


def test_a_permit_that_arrives_later_cancels_the_retribution_it_covers(city):
    covered = retribution(city)
    other_zone = retribution(city, zone_code="Zone B", street="Markt")
    other_plate = retribution(city, plate="2-XYZ-999")
    before = retribution(city, occurred_at=NOW - dt.timedelta(days=60))
    assert covered.status == DossierStatus.NOTIFIED

    card = permit(city)

    for dossier in (covered, other_zone, other_plate, before):
        dossier.refresh_from_db()
    assert covered.status == DossierStatus.CANCELLED_BY_PERMIT
    assert covered.amount_due_cents == 0
    assert {other_zone.status, other_plate.status, before.status} == {DossierStatus.NOTIFIED}
    event = covered.timeline.get(kind=TimelineEventKind.CANCELLED_BY_PERMIT)
    assert event.data == {"permit": card.reference, "permit_kind": DossierKind.RESIDENT_PERMIT}
    assert event.status_from == DossierStatus.NOTIFIED
    assert PermitMatch.objects.get(dossier=covered).permit == card
    outbox = OutboxEvent.objects.get(type=EventType.DOSSIER_CANCELLED_BY_PERMIT)
    assert (outbox.dossier_id, outbox.party_id, outbox.organisation_id) == (
        covered.pk,
        covered.party_id,
        covered.organisation_id,
    )
    assert outbox.data["permit"] == card.reference


def test_a_retribution_issued_under_a_valid_permit_is_cancelled_at_once(city):
    card = permit(city, kind=DossierKind.EMPLOYEE_PERMIT, zone_code="", street="Sint-Jansstraat")
    dossier = retribution(city, zone_code="", street="St. Jansstraat", notified=False)
    assert dossier.status == DossierStatus.CANCELLED_BY_PERMIT
    assert PermitMatch.objects.get(dossier=dossier).permit == card


def test_extra_plates_and_expired_permits_cover_the_time_they_were_valid(city):
    card = permit(
        city,
        plate="9-AAA-999",
        extra_plates=["1-abc-123"],
        valid_until=NOW - dt.timedelta(days=1),
    )
    services.dossier_transition(dossier_id=card.pk, to_status=DossierStatus.EXPIRED)
    dossier = retribution(city, notified=False)  # two days ago, when the card was still valid
    assert dossier.status == DossierStatus.CANCELLED_BY_PERMIT


def test_no_cover_from_another_municipality_a_revoked_or_requested_permit_or_a_paid_retribution(city):
    elsewhere = MunicipalityFactory()
    permit((elsewhere, OrganisationFactory(municipalities=[elsewhere])))
    requested = permit(city, active=False)
    paid = retribution(city, paid=True)
    revoked = permit(city, plate="7-REV-777")
    services.dossier_transition(dossier_id=revoked.pk, to_status=DossierStatus.REVOKED)
    assert not PermitScope.objects.filter(permit=revoked).exists()
    assert not PermitScope.objects.filter(permit=requested).exists()
    open_one = retribution(city, plate="7-REV-777")
    paid.refresh_from_db()
    assert paid.status == DossierStatus.PAID
    assert open_one.status == DossierStatus.NOTIFIED
    assert not PermitMatch.objects.exists()


def test_the_check_is_idempotent_and_set_based_over_everything(city, django_assert_max_num_queries):
    card = permit(city)
    dossiers = [retribution(city, plate="1ABC123", notified=False) for _ in range(3)]
    assert all(d.status == DossierStatus.CANCELLED_BY_PERMIT for d in dossiers)
    # A full run over every retribution finds nothing more to do, in a handful of statements.
    with django_assert_max_num_queries(3):
        assert permit_cross_check().cancelled == 0
    assert PermitMatch.objects.filter(permit=card).count() == 3
    assert OutboxEvent.objects.filter(type=EventType.DOSSIER_CANCELLED_BY_PERMIT).count() == 3


def test_the_rights_check_answers_with_the_permit(city):
    municipality, _organisation = city
    card = permit(city)

    def check(**kwargs):
        return permit_covering(municipality_id=municipality.pk, plate="1abc123", **kwargs)

    hit = check(at=NOW, zone_code="ZONE A")
    assert hit.covered and hit.permit == card
    assert not check(at=NOW, zone_code="B").covered
    assert not check(at=NOW + dt.timedelta(days=31), zone_code="A").covered
    assert not check(at=NOW).covered


def test_the_citizen_sees_which_permit_cancelled_the_retribution(city, client):
    from tests.factories import UserFactory

    user = UserFactory()
    party = person_party(user=user)
    dossier = retribution(city, party=party)
    card = permit(city)
    client.force_login(user)
    page = client.get(f"/nl/mijn/dossiers/{dossier.reference}/").content.decode()
    assert "Geannuleerd: geldige vergunning" in page
    assert f"geldige vergunning ({card.reference})" in page
    assert f"Geannuleerd wegens geldige vergunning ({card.reference})" in page
