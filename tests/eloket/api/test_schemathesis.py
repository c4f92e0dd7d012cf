"""Schemathesis against the committed OpenAPI document, through the WSGI application in-process:
generated requests, valid and invalid, to every operation must never give a 5xx, and every response
must match the document (schema and content type)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.eloket.api.conftest import make_key

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"


@schemathesis.serializer("application/x-ndjson")
def ndjson_serializer(_context, value) -> bytes:
    """The bulk body: one generated line (any JSON value, valid or not) as an NDJSON stream."""
    return json.dumps(value).encode() + b"\n"


schema = schemathesis.openapi.from_path(DOCUMENT)
schema.app = get_wsgi_application()

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request, as it should in
    production; here it is the test's transaction, so keep it open (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(city, keep_connection):
    from tests.factories import DossierFactory, person_party

    # Something to find: a dossier with a guessable external id, and a permit.
    DossierFactory(
        organisation=city, municipality=city.municipalities.get(), party=person_party(), external_id="0"
    )
    return make_key(city, rights_check_per_minute=100_000)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_every_generated_request_within_its_document(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
