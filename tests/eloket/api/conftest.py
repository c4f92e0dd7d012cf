from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from eloket.models import ApiKey
from tests.factories import MunicipalityFactory, OrganisationFactory, RegulationFactory


@pytest.fixture
def city(db):
    municipality = MunicipalityFactory(nis_code="44021")
    organisation = OrganisationFactory(slug="gent", municipalities=[municipality])
    RegulationFactory(organisation=organisation, code="RET-2026")
    return organisation


def make_key(organisation, **kwargs) -> str:
    prefix, secret, token = ApiKey.new_token()
    ApiKey.objects.create(
        organisation=organisation,
        name="scanwagen",
        prefix=prefix,
        secret_hash=ApiKey.hash_secret(secret),
        **kwargs,
    )
    return token


@pytest.fixture
def api(city):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(city)}")
    return client
