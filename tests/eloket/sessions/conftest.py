"""A city with a parking area, its retribution regulation (with grace minutes) and a parking provider;
sessions and retributions made in it. Shared by the tests of eloket.sessions."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from eloket.constants import OrganisationKind
from eloket.models import ApiScope
from eloket.models.parking import ParkingArea, ParkingAreaStreet, ParkingSession
from eloket.places import street_key
from eloket.plates import plate_normalise
from tests.eloket.api.conftest import make_key
from tests.factories import (
    DossierFactory,
    MunicipalityFactory,
    OrganisationFactory,
    RegulationFactory,
    person_party,
)

_session_ids = itertools.count(1)


@dataclass
class SessionCity:
    municipality: object
    organisation: object
    regulation: object
    area: ParkingArea
    provider: object
    observed_at: dt.datetime

    def session(self, *, start=None, end=None, area=None, plate="1-ABC-123", party=None, **fields):
        """A session reported by the provider; by default from 30 minutes before the observation to 30
        minutes after it (an hour from ``start`` when only that is given)."""
        area = area or self.area
        if end is None and "end_at" not in fields:
            end = start + dt.timedelta(hours=1) if start else self.observed_at + dt.timedelta(minutes=30)
        start = start if start is not None else self.observed_at - dt.timedelta(minutes=30)
        values = {
            "provider": self.provider,
            "provider_session_id": f"S-{next(_session_ids)}",
            "municipality": area.municipality,
            "area": area,
            "area_code": area.code,
            "plate": plate,
            "plate_normalised": plate_normalise(plate),
            "start_at": start,
            "end_at": end,
            "amount_paid_cents": 250,
            "party": party,
        }
        values.update(fields)
        return ParkingSession.objects.create(**values)

    def retribution(self, **fields):
        values = {
            "organisation": self.organisation,
            "municipality": self.municipality,
            "regulation": self.regulation,
            "plate": "1ABC123",
            "zone_code": self.area.code,
            "street": "Elders",
            "occurred_at": self.observed_at,
            "notified": True,
        }
        values.update(fields)
        if "party" not in values:
            values["party"] = person_party()
        return DossierFactory(**values)

    def area_make(self, code: str, *, streets=(), municipality=None) -> ParkingArea:
        return area_make(municipality or self.municipality, self.organisation, code, streets=streets)


def area_make(municipality, organisation, code: str, *, streets=()) -> ParkingArea:
    area = ParkingArea.objects.create(
        municipality=municipality,
        organisation=organisation,
        code=code,
        name_nl=f"Zone {code}",
        name_fr=f"Zone {code} (fr)",
        streets=list(streets),
    )
    ParkingAreaStreet.objects.bulk_create(
        [ParkingAreaStreet(area=area, street_key=street_key(street)) for street in streets]
    )
    return area


@pytest.fixture
def session_city(db) -> SessionCity:
    municipality = MunicipalityFactory(name_nl="Genk", name_fr="Genk (fr)")
    organisation = OrganisationFactory(name_nl="Stad Genk", municipalities=[municipality])
    regulation = RegulationFactory(organisation=organisation, session_grace_minutes=5)
    area = area_make(municipality, organisation, "GNK-C1", streets=["Markt", "Sint-Jansstraat"])
    provider = OrganisationFactory(name_nl="4411", kind=OrganisationKind.PARKING_PROVIDER)
    observed_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    return SessionCity(municipality, organisation, regulation, area, provider, observed_at)


# -- the API (eloket.api.sessions): a provider's key and the city's key ------------------------------


@dataclass
class SessionApi:
    city: SessionCity
    provider: APIClient  # the provider's key: sessions:write only
    enforcement: APIClient  # the city's key: the default scopes, rights:check among them
    nis: str


def api_client(organisation, **key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(organisation, **key)}")
    return client


@pytest.fixture
def session_api(session_city) -> SessionApi:
    """The provider serves the city's municipality and holds a key with ``sessions:write``."""
    session_city.provider.municipalities.add(session_city.municipality)
    return SessionApi(
        city=session_city,
        provider=api_client(session_city.provider, scopes=[ApiScope.SESSIONS_WRITE]),
        enforcement=api_client(session_city.organisation, rights_check_per_minute=10_000),
        nis=session_city.municipality.nis_code,
    )
