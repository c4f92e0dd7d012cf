"""Providers report sessions through the API (eloket.api.sessions, eloket.sessions.write): one by PUT
or many as NDJSON, idempotent by (provider, session id); cities read those in their municipalities."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from eloket.constants import DossierStatus, OrganisationKind
from eloket.ingest import MAX_LINE_BYTES
from eloket.models import ApiScope, ImportRun, Party
from eloket.models.parking import ParkingSession
from eloket.sessions.write import SessionImporter
from tests.eloket.sessions.conftest import api_client, area_make
from tests.factories import MunicipalityFactory, OrganisationFactory


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def session_line(session_api, session_id="4411-1", **fields) -> dict:
    observed = session_api.city.observed_at
    values = {
        "session_id": session_id,
        "plate": "1-ABC-123",
        "municipality": session_api.nis,
        "area": "GNK-C1",
        "start": iso(observed - dt.timedelta(minutes=20)),
        "end": iso(observed + dt.timedelta(minutes=40)),
        "amount_paid_cents": 300,
    }
    values.update(fields)
    return values


def put(client, data: dict):
    return client.put(f"/api/v1/sessions/{data['session_id']}/", data, format="json")


def bulk(client, body: bytes):
    response = client.generic("POST", "/api/v1/sessions/bulk/", body, content_type="application/x-ndjson")
    assert response.status_code == 200, response.content
    rows = [json.loads(row) for row in b"".join(response.streaming_content).splitlines()]
    return rows[:-1], rows[-1]["summary"]


def ndjson(*lines) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines
    )


# -- one session ---------------------------------------------------------------------------------


def test_put_creates_once_then_extends_stops_or_leaves_unchanged(session_api):
    client = session_api.provider
    data = session_line(session_api, end=None)
    created = put(client, data)
    assert created.status_code == 201, created.json()
    assert created.json() == {
        "line": 1,
        "session_id": "4411-1",
        "status": "created",
        "cancelled_by_session": 0,
    }
    session = ParkingSession.objects.get()
    assert session.provider == session_api.city.provider and session.area == session_api.city.area
    assert session.plate_normalised == "1ABC123" and session.end_at is None
    assert session.municipality == session_api.city.municipality and session.area_code == "GNK-C1"

    again = put(client, data)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"

    end = session_api.city.observed_at + dt.timedelta(hours=1)
    stopped = put(client, {**data, "end": iso(end)})
    assert stopped.status_code == 200 and stopped.json()["status"] == "updated"
    extended = put(client, {**data, "end": iso(end + dt.timedelta(hours=1)), "amount_paid_cents": 600})
    assert extended.json()["status"] == "updated"
    session.refresh_from_db()
    assert session.end_at == end + dt.timedelta(hours=1) and session.amount_paid_cents == 600
    assert ParkingSession.objects.count() == 1
    assert not ImportRun.objects.exists()  # a single call keeps no import run


def test_put_refuses_errors_per_field_and_writes_nothing(session_api):
    response = put(session_api.provider, session_line(session_api, area="NOPE", end="gisteren"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["area"][0]["code"] == "unknown_area" and errors["end"][0]["code"] == "invalid_datetime"
    assert "zone" in errors["area"][0]["message"]
    other = session_api.provider.put("/api/v1/sessions/A/", session_line(session_api, "B"), format="json")
    assert other.status_code == 400 and "session_id" in other.json()["errors"]
    assert not ParkingSession.objects.exists()


def test_a_known_session_id_with_another_plate_or_area_is_a_conflict_and_changes_nothing(session_api):
    client = session_api.provider
    area_make(session_api.city.municipality, session_api.city.organisation, "GNK-C2")
    assert put(client, session_line(session_api)).status_code == 201
    for change in ({"plate": "2-XYZ-999"}, {"area": "GNK-C2"}):
        response = put(client, session_line(session_api, **change, amount_paid_cents=1))
        assert response.status_code == 400
        assert response.json()["errors"]["session_id"][0]["code"] == "session_conflict"
    session = ParkingSession.objects.get()
    assert session.plate_normalised == "1ABC123" and session.area_code == "GNK-C1"
    assert session.amount_paid_cents == 300
    # The same plate written differently is the same plate.
    assert put(client, session_line(session_api, plate="1abc123")).json()["status"] == "updated"


def test_overlapping_sessions_of_one_plate_in_one_area_are_accepted_with_a_warning(session_api):
    client = session_api.provider
    assert "warnings" not in put(client, session_line(session_api, "A")).json()
    observed = session_api.city.observed_at
    second = put(
        client, session_line(session_api, "B", start=iso(observed), end=iso(observed + dt.timedelta(hours=1)))
    )
    assert second.status_code == 201
    [warning] = second.json()["warnings"]["start"]
    assert warning["code"] == "overlap" and "A" in warning["message"]
    # Another provider's overlapping session is reported without its id.
    rival = OrganisationFactory(
        kind=OrganisationKind.PARKING_PROVIDER, municipalities=[session_api.city.municipality]
    )
    rival_client = api_client(rival, scopes=[ApiScope.SESSIONS_WRITE])
    third = put(rival_client, session_line(session_api, "C", start=iso(observed + dt.timedelta(minutes=5))))
    messages = [w["message"] for w in third.json()["warnings"]["start"]]
    assert len(messages) == 2
    assert all("andere aanbieder" in m and "A" not in m and "B" not in m for m in messages)
    # After the first ended: no overlap.
    later = put(client, session_line(session_api, "D", start=iso(observed + dt.timedelta(days=1)), end=None))
    assert "warnings" not in later.json()
    assert ParkingSession.objects.count() == 4


def test_a_late_session_cancels_the_retribution_it_covers(session_api):
    retribution = session_api.city.retribution()
    assert retribution.status == DossierStatus.NOTIFIED
    response = put(session_api.provider, session_line(session_api))  # days after the observation
    assert response.status_code == 201 and response.json()["cancelled_by_session"] == 1
    retribution.refresh_from_db()
    assert retribution.status == DossierStatus.CANCELLED_BY_SESSION


def test_the_customer_is_found_or_created_by_the_hash_of_their_number(session_api):
    client = session_api.provider
    put(client, session_line(session_api, "A", customer_national_number="85073003328"))
    put(client, session_line(session_api, "B", customer_national_number="85.07.30-033.28"))
    party = Party.objects.get()
    assert set(party.parking_sessions.values_list("provider_session_id", flat=True)) == {"A", "B"}
    assert "85073003328" not in party.identifier_hash + party.identifier_masked + party.display_name
    # An update without the customer keeps the one known.
    put(client, session_line(session_api, "A", amount_paid_cents=999))
    assert ParkingSession.objects.get(provider_session_id="A").party == party


# -- bulk ----------------------------------------------------------------------------------------


def test_bulk_gives_a_result_per_line_and_a_summary(session_api):
    client = session_api.provider
    session_api.city.retribution()
    good = session_line(session_api, "A")
    body = ndjson(
        good,
        session_line(session_api, "B", end=iso(session_api.city.observed_at - dt.timedelta(hours=1))),
        b'{"session_id": "C", "plate": "1ABC\\u0000"}',
        b"not json",
        b"x" * (MAX_LINE_BYTES + 10),
        session_line(session_api, "D", start=iso(timezone.now() + dt.timedelta(hours=1)), end=None),
        good,
    )
    rows, summary = bulk(client, body)
    assert [(r["line"], r["status"]) for r in rows] == [
        (1, "created"),
        (2, "error"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "unchanged"),
    ]
    assert rows[1]["errors"]["end"][0]["code"] == "before_start"
    assert rows[2]["errors"]["line"][0]["code"] == "null_character"
    assert rows[3]["errors"]["line"][0]["code"] == "invalid_json"
    assert rows[4]["errors"]["line"][0]["code"] == "too_long"
    assert rows[5]["errors"]["start"][0]["code"] == "in_future"
    assert summary["lines"] == 7 and summary["created"] == 1 and summary["unchanged"] == 1
    assert summary["failed"] == 5 and summary["cancelled_by_session"] == 1
    run = ImportRun.objects.get(pk=summary["import"])
    assert run.organisation == session_api.city.provider and run.source == ImportRun.Source.API
    assert run.cancelled_by_session == 1 and run.finished_at is not None
    assert list(ParkingSession.objects.values_list("provider_session_id", flat=True)) == ["A"]

    rows, summary = bulk(client, body)  # the same again: nothing new
    assert summary["created"] == 0 and summary["unchanged"] == 2 and summary["cancelled_by_session"] == 0


def test_bulk_applies_a_start_and_its_stop_in_one_stream_in_order(session_api):
    observed = session_api.city.observed_at
    start = session_line(session_api, "A", end=None)
    stop = {**start, "end": iso(observed + dt.timedelta(hours=2))}
    rows, summary = bulk(session_api.provider, ndjson(start, stop))
    assert [r["status"] for r in rows] == ["created", "updated"]
    assert summary["created"] == 1 and summary["updated"] == 1
    assert ParkingSession.objects.get().end_at == observed + dt.timedelta(hours=2)


def test_bulk_refuses_what_is_not_ndjson(session_api):
    response = session_api.provider.post("/api/v1/sessions/bulk/", {"a": 1}, format="json")
    assert response.status_code == 415


@override_settings(API_BULK_MAX_LINES=2)
def test_bulk_stops_at_the_line_limit(session_api):
    rows, summary = bulk(
        session_api.provider,
        ndjson(*(session_line(session_api, f"S-{n}") for n in range(3))),
    )
    assert [r["status"] for r in rows] == ["created", "created", "error"]
    assert rows[2]["errors"]["line"][0]["code"] == "too_many_lines"
    assert summary["lines"] == 3 and summary["failed"] == 1


def test_a_conflicting_batch_is_retried_line_by_line(session_api, monkeypatch):
    """A concurrent writer took a session id between the read and the insert: only that line fails."""
    from django.db import IntegrityError

    importer = SessionImporter(provider=session_api.city.provider, source=ImportRun.Source.API)
    original = importer._write

    def write(lines):
        if len(lines) > 1 or lines[0].session_id == "B":
            raise IntegrityError("taken")
        return original(lines)

    monkeypatch.setattr(importer, "_write", write)
    results = list(importer.feed([(1, session_line(session_api, "A")), (2, session_line(session_api, "B"))]))
    assert [r.status for r in results] == ["created", "error"]
    assert results[1].errors["line"][0]["code"] == "conflict"
    assert list(ParkingSession.objects.values_list("provider_session_id", flat=True)) == ["A"]


# -- reading -------------------------------------------------------------------------------------


def test_a_provider_reads_its_own_sessions_and_a_city_those_in_its_municipalities(session_api):
    city = session_api.city
    mine = city.session(plate="1-ABC-123")
    rival = OrganisationFactory(kind=OrganisationKind.PARKING_PROVIDER)
    theirs = city.session(provider=rival, plate="2-XYZ-999")
    elsewhere = MunicipalityFactory()
    other_city = OrganisationFactory(municipalities=[elsewhere])
    far = city.session(area=area_make(elsewhere, other_city, "ELD-1"), provider=rival)

    def ids(client, query=""):
        response = client.get(f"/api/v1/sessions/{query}")
        assert response.status_code == 200, response.content
        return {row["session_id"] for row in response.json()["results"]}

    assert ids(session_api.provider) == {mine.provider_session_id}
    assert ids(session_api.enforcement) == {mine.provider_session_id, theirs.provider_session_id}
    assert ids(session_api.enforcement, "?plate=2xyz999") == {theirs.provider_session_id}
    assert ids(api_client(other_city)) == {far.provider_session_id}
    row = session_api.enforcement.get("/api/v1/sessions/?plate=1ABC123").json()["results"][0]
    assert row["provider"] == "4411" and row["area"] == "GNK-C1" and row["municipality"] == session_api.nis
    assert "party" not in row
    future = iso(timezone.now() + dt.timedelta(days=1)).replace("+", "%2B")
    assert ids(session_api.enforcement, f"?updated_since={future}") == set()


# -- authorisation -------------------------------------------------------------------------------


def test_a_providers_key_reads_no_dossiers_and_asks_no_rights_check(session_api):
    client = session_api.provider
    assert client.get("/api/v1/dossiers/").status_code == 403
    assert client.get("/api/v1/submissions/").status_code == 403
    url = f"/api/v1/rights-check/?plate=1ABC123&municipality={session_api.nis}&zone=GNK-C1"
    assert client.get(url).status_code == 403


def test_a_citys_key_reports_no_sessions(session_api):
    client = session_api.enforcement
    assert put(client, session_line(session_api)).status_code == 403
    response = client.generic(
        "POST",
        "/api/v1/sessions/bulk/",
        ndjson(session_line(session_api)),
        content_type="application/x-ndjson",
    )
    assert response.status_code == 403
    # Not even when the key's scopes name sessions:write.
    forced = api_client(
        session_api.city.organisation, scopes=[ApiScope.SESSIONS_WRITE, ApiScope.RIGHTS_CHECK]
    )
    assert put(forced, session_line(session_api)).status_code == 403
    assert not ParkingSession.objects.exists()


def test_a_city_key_without_rights_check_reads_no_sessions(session_api):
    client = api_client(session_api.city.organisation, scopes=[ApiScope.DOSSIERS_READ])
    assert client.get("/api/v1/sessions/").status_code == 403


@pytest.mark.parametrize("method", ["get", "put"])
def test_no_key_no_sessions(client, db, method):
    response = getattr(client, method)("/api/v1/sessions/" + ("X/" if method == "put" else ""))
    assert response.status_code == 401
