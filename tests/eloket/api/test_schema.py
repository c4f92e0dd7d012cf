"""The OpenAPI document is served, is committed (so a change shows in review), and describes the
fields the line validator accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from eloket.api.serializers import DossierLineSerializer, PartySerializer
from eloket.ingest import KNOWN_FIELDS, PARTY_FIELDS

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"


@pytest.mark.django_db
def test_the_committed_document_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/api/openapi.yaml is out of date: run `make openapi` and commit it"
    )


@pytest.mark.django_db
def test_the_document_is_served_without_a_key(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/dossiers/bulk/" in document["paths"]
    assert not any(path.startswith("/beheer/") for path in document["paths"])
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_the_documented_line_is_the_validated_line():
    assert set(DossierLineSerializer().fields) == KNOWN_FIELDS
    assert set(PartySerializer().fields) == PARTY_FIELDS
    document = yaml.safe_load(COMMITTED.read_text())
    assert "DossierLineRequest" in document["components"]["schemas"]
