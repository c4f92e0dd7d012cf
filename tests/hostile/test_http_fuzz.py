"""The same hostile bodies through HTTP: the bulk endpoint and the clerk's CODA upload answer every one
with a result (4xx, or 200 with a result per line), never a 5xx or an exception mid-stream."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.eloket.api.conftest import make_key
from tests.hostile.test_parsers import IBAN, coda_mutations, fuzz, mutated_bytes, mutated_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db):
    from tests.factories import MunicipalityFactory, OrganisationFactory, RegulationFactory

    municipality = MunicipalityFactory(nis_code="44021")
    organisation = OrganisationFactory(slug="gent", municipalities=[municipality], iban=IBAN)
    RegulationFactory(organisation=organisation, code="RET-2026")
    return organisation


@pytest.fixture
def api(organisation):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(organisation)}")
    return client


def bulk_check(api, body: bytes, tally, category: str, content_type="application/x-ndjson") -> None:
    tally.attempt(category)
    try:
        response = api.generic("POST", "/api/v1/dossiers/bulk/", body, content_type=content_type)
        assert response.status_code < 500, response.status_code
        if response.status_code == 200:
            rows = [json.loads(row) for row in b"".join(response.streaming_content).decode().splitlines()]
            assert "summary" in rows[-1]
            for row in rows[:-1]:
                assert row["status"] in ("created", "updated", "unchanged", "error"), row
    except Exception as error:
        tally.finding(category, f"{type(error).__name__}: {error!s:.160} on {body[:80]!r}")
        raise


@fuzz(80)
@given(data=st.data())
def test_the_bulk_endpoint_answers_mutated_lines_line_by_line(data, api, tally):
    lines = data.draw(st.lists(mutated_lines(), min_size=1, max_size=3))
    bulk_check(api, data.draw(mutated_bytes(lines)), tally, "http: bulk mutated")


@fuzz(40)
@given(body=st.binary(max_size=400))
def test_the_bulk_endpoint_answers_arbitrary_bytes(body, api, tally):
    bulk_check(api, body, tally, "http: bulk arbitrary bytes")


@pytest.mark.parametrize(
    "content_type",
    ["application/x-ndjson; charset=latin-1", "application/json", "text/csv", "", "application/x-ndjson;;;"],
)
def test_the_bulk_endpoint_answers_any_content_type(api, tally, content_type):
    bulk_check(api, b'{"external_id": "x"}\n', tally, "http: bulk content types", content_type=content_type)


@pytest.fixture
def clerk_client(client, organisation):
    from tests.forms.triage_helpers import clerk_make

    client.force_login(clerk_make(organisations=[organisation]))
    return client


@fuzz(40)
@given(content=coda_mutations())
def test_the_coda_upload_answers_damaged_files_with_their_line_numbers(
    content, clerk_client, organisation, tally
):
    tally.attempt("http: coda upload")
    try:
        response = clerk_client.post(
            reverse("eloket_payments_coda_upload"),
            {"organisation": organisation.pk, "file": SimpleUploadedFile("fuzz.cod", content)},
        )
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 400:
            assert "Regel " in response.content.decode()
    except Exception as error:
        tally.finding("http: coda upload", f"{type(error).__name__}: {error!s:.160}")
        raise


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/dossiers/P-1/status/", {"type": "cancelled", "note": "a\ud800b"}),
        ("/api/v1/dossiers/P-1/status/", {"type": "decision", "decision": "upheld", "motivation": "\udfff"}),
        ("/api/v1/dossiers/P-1/status/", {"type": "cancelled", "note": "a\x00b"}),
        ("/api/v1/dossiers/P-1/status/", {"type": "cancelled", "note": "x" * 100_000}),
        ("/api/v1/dossiers/P-2/", {"kind": "parking_retribution", "street": "\ud800"}),
    ],
    ids=["surrogate-note", "surrogate-motivation", "nul-note", "long-note", "surrogate-put"],
)
def test_json_bodies_with_text_no_database_stores_are_a_400(api, organisation, tally, path, body):
    """JSON's lone surrogates, NUL and a huge note in the JSON endpoints (not NDJSON): a 400 each."""
    from tests.factories import DossierFactory, person_party

    DossierFactory(
        organisation=organisation,
        municipality=organisation.municipalities.get(),
        party=person_party(),
        external_id="P-1",
        notified=True,
    )
    tally.attempt("http: json text no database stores")
    # As the wire carries it: JSON's \\ud800 escape (the test client's renderer cannot encode it raw).
    method = "PUT" if path.endswith("P-2/") else "POST"
    response = api.generic(method, path, json.dumps(body), content_type="application/json")
    if response.status_code >= 500:
        tally.finding("http: json text no database stores", f"{path} {list(body)}: {response.status_code}")
    assert response.status_code == 400, response.content
