"""The API for city systems: keys, one dossier by external id, the NDJSON bulk import, status
updates, evidence, the rights check, reads and the submissions export, all scoped to the key's
organisation."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from eloket import services
from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.identifiers import parse_national_number
from eloket.models import ApiKey, ApiScope, Dossier, EventType, ImportRun, OutboxEvent, Party
from tests.eloket.api.conftest import make_key
from tests.factories import (
    DossierFactory,
    MunicipalityFactory,
    OrganisationFactory,
    enterprise_number,
    national_number,
    person_party,
)
from tests.forms.citizen_helpers import png_bytes
from tests.forms.triage_helpers import submission_make

pytestmark = pytest.mark.django_db

NN = national_number()


def line(external_id="SCAN-1", **overrides) -> dict:
    value = {
        "external_id": external_id,
        "kind": "parking_retribution",
        "municipality": "44021",
        "party": {"national_number": NN, "name": "Jan Janssens"},
        "plate": "1-ABC-123",
        "street": "Korenmarkt",
        "zone_code": "Rood",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "regulation": "RET-2026",
        "status": "notified",
        "notified_at": "2026-11-21T09:00:00+01:00",
    }
    value.update(overrides)
    return value


def ndjson(*lines) -> bytes:
    return b"".join(
        (item if isinstance(item, bytes) else json.dumps(item).encode()) + b"\n" for item in lines
    )


def bulk(api, body: bytes):
    response = api.generic("POST", "/api/v1/dossiers/bulk/", body, content_type="application/x-ndjson")
    assert response.status_code == 200, response.content
    rows = [json.loads(row) for row in b"".join(response.streaming_content).splitlines()]
    return rows[:-1], rows[-1]["summary"]


# -- keys ----------------------------------------------------------------------------------------


def test_requests_without_a_valid_active_key_are_refused(city):
    client = APIClient()
    assert client.get("/api/v1/dossiers/").status_code == 401
    token = make_key(city)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}x")
    assert client.get("/api/v1/dossiers/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/dossiers/").status_code == 200
    key = ApiKey.objects.get()
    assert key.last_used_at is not None
    assert key.secret_hash != token.split(".")[1] and token.split(".")[1] not in key.secret_hash
    ApiKey.objects.update(revoked_at=timezone.now())
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 401
    assert "ingetrokken" in response.json()["detail"]


def test_a_key_only_does_what_its_scopes_allow(city):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(city, scopes=[ApiScope.DOSSIERS_READ])}")
    assert client.get("/api/v1/dossiers/").status_code == 200
    assert client.put("/api/v1/dossiers/SCAN-1/", line(), format="json").status_code == 403
    assert client.get("/api/v1/rights-check/?plate=1ABC123&municipality=44021&zone=A").status_code == 403


# -- one dossier ---------------------------------------------------------------------------------


def test_put_creates_once_and_then_updates_or_leaves_unchanged(api):
    created = api.put("/api/v1/dossiers/SCAN-1/", line(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "created" and body["dossier_status"] == DossierStatus.NOTIFIED
    dossier = Dossier.objects.get(reference=body["reference"])
    assert dossier.amount_original_cents == 2000  # the regulation's forfait
    assert dossier.pay_by is not None and dossier.zone_code == "ROOD"
    assert list(dossier.timeline.values_list("kind", flat=True)) == [
        TimelineEventKind.ISSUED,
        TimelineEventKind.NOTIFIED,
    ]

    again = api.put("/api/v1/dossiers/SCAN-1/", line(), format="json")
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")
    changed = api.put("/api/v1/dossiers/SCAN-1/", line(plate="1-ABC-124"), format="json")
    assert changed.json()["status"] == "updated"
    dossier.refresh_from_db()
    assert (dossier.plate, dossier.plate_normalised) == ("1-ABC-124", "1ABC124")
    assert Dossier.objects.count() == 1


def test_put_errors_are_per_field_and_write_nothing(api):
    response = api.put(
        "/api/v1/dossiers/SCAN-9/",
        line(
            "SCAN-9",
            party={"national_number": "85073003327"},
            municipality="99999",
            occurred_at="gisteren",
            kind="gas4",
            regulation="RET-2026",
            colour="rood",
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["party"][0]["code"] == "invalid_national_number"
    assert errors["municipality"][0]["code"] == "unknown_municipality"
    assert errors["occurred_at"][0]["code"] == "invalid_datetime"
    assert errors["regulation"][0]["code"] == "unknown_regulation"
    assert "colour" in errors["line"][0]["message"]
    assert not Dossier.objects.exists() and not Party.objects.exists()


def test_a_dossier_does_not_change_party_and_other_organisations_cannot_see_it(api, city):
    api.put("/api/v1/dossiers/SCAN-1/", line(), format="json")
    other_party = line(party={"national_number": national_number(), "name": "Iemand anders"})
    response = api.put("/api/v1/dossiers/SCAN-1/", other_party, format="json")
    assert response.json()["errors"]["external_id"][0]["code"] == "immutable"

    stranger = OrganisationFactory(municipalities=[MunicipalityFactory(nis_code="11002")])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(stranger)}")
    assert client.get("/api/v1/dossiers/SCAN-1/").status_code == 404
    assert client.get("/api/v1/dossiers/").json()["results"] == []
    # Their own dossier with the same external id is another dossier.
    response = client.put(
        "/api/v1/dossiers/SCAN-1/",
        line(municipality="11002", regulation=None, amount_cents=3500),
        format="json",
    )
    assert response.status_code == 201
    response = client.put("/api/v1/dossiers/SCAN-1/", line(), format="json")
    assert response.json()["errors"]["municipality"][0]["code"] == "not_served"


def test_list_pages_with_a_cursor_and_never_shows_the_national_number(api, city):
    for i in range(5):
        api.put(f"/api/v1/dossiers/SCAN-{i}/", line(f"SCAN-{i}"), format="json")
    first = api.get("/api/v1/dossiers/?page_size=2").json()
    assert [d["external_id"] for d in first["results"]] == ["SCAN-4", "SCAN-3"]
    second = api.get(first["next"]).json()
    assert [d["external_id"] for d in second["results"]] == ["SCAN-2", "SCAN-1"]
    assert NN not in json.dumps(first) and first["results"][0]["party"]["identifier"].endswith(NN[-2:])
    assert api.get("/api/v1/dossiers/?updated_since=nooit").status_code == 400


# -- bulk ----------------------------------------------------------------------------------------


def test_bulk_gives_a_result_per_line_and_applies_only_the_valid_lines(api, city):
    company = enterprise_number()
    rows, summary = bulk(
        api,
        ndjson(
            line("A-1"),
            b"{not json",
            line("A-2", party={"enterprise_number": company, "name": "Limburg Logistiek NV"}),
            line("A-1", plate="9-ZZZ-999"),
            b"",
            line("A-3", party={"enterprise_number": "0403019262"}),
            line("A-4", municipality="00000"),
            b"[1, 2]",
            line("A-5", amount_cents="veel"),
        ),
    )
    by_line = {row["line"]: row for row in rows}
    assert by_line[1]["status"] == "created" and by_line[3]["status"] == "created"
    assert by_line[2]["errors"]["line"][0]["code"] == "invalid_json"
    assert by_line[4]["errors"]["external_id"][0]["code"] == "duplicate"
    assert "regel 1" in by_line[4]["errors"]["external_id"][0]["message"]
    assert 5 not in by_line  # a blank line is no line
    assert by_line[6]["errors"]["party"][0]["code"] == "invalid_enterprise_number"
    assert by_line[7]["errors"]["municipality"][0]["code"] == "unknown_municipality"
    assert by_line[8]["errors"]["line"][0]["code"] == "not_an_object"
    assert by_line[9]["errors"]["amount_cents"][0]["code"] == "invalid_integer"
    assert summary | {"import": None} == {
        "import": None,
        "lines": 8,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "failed": 6,
        "cancelled_by_permit": 0,
        "cancelled_by_session": 0,
    }
    assert set(Dossier.objects.values_list("external_id", flat=True)) == {"A-1", "A-2"}
    assert Dossier.objects.get(external_id="A-1").plate == "1-ABC-123"
    run = ImportRun.objects.get()
    assert (run.source, run.created, run.failed, run.finished_at is not None) == ("api", 2, 6, True)


def test_a_line_that_conflicts_fails_alone_and_its_batch_neighbours_are_applied(api, city):
    taken = DossierFactory(organisation=city, municipality=city.municipalities.get(), party=person_party())
    rows, _summary = bulk(api, ndjson(line("B-1"), line("B-2", ogm=taken.ogm), line("B-3")))
    assert [row["status"] for row in rows] == ["created", "error", "created"]
    assert rows[1]["errors"]["line"][0]["code"] == "conflict"
    assert set(
        Dossier.objects.filter(external_id__startswith="B-").values_list("external_id", flat=True)
    ) == {
        "B-1",
        "B-3",
    }
    # Nothing half-written: every created dossier has its issued event, the failed one has nothing.
    for dossier in Dossier.objects.filter(external_id__startswith="B-"):
        assert dossier.timeline.filter(kind=TimelineEventKind.ISSUED).count() == 1


@override_settings(API_BULK_BATCH_SIZE=50, API_BULK_MAX_LINES=120)
def test_bulk_streams_batches_and_refuses_lines_over_the_limit(api):
    lines = [
        line(f"C-{i}", party={"national_number": national_number(), "name": f"Burger {i}"})
        for i in range(125)
    ]
    rows, summary = bulk(api, ndjson(*lines))
    assert summary["created"] == 120
    assert rows[-1]["line"] == 121 and rows[-1]["errors"]["line"][0]["code"] == "too_many_lines"
    assert Dossier.objects.count() == 120


def test_bulk_wants_ndjson(api):
    response = api.post("/api/v1/dossiers/bulk/", {"a": 1}, format="json")
    assert response.status_code == 415


def test_a_dossier_for_someone_who_never_logged_in_appears_at_their_first_login(api, client):
    bulk(api, ndjson(line("D-1")))
    party, created = services.party_get_or_create(
        identifier=parse_national_number(NN), display_name="Jan Janssens"
    )
    assert not created
    assert list(party.dossiers.values_list("external_id", flat=True)) == ["D-1"]


def test_permits_in_the_same_import_cancel_the_retributions_they_cover(api):
    permit = line(
        "P-1",
        kind=DossierKind.RESIDENT_PERMIT,
        regulation=None,
        status="active",
        occurred_at=None,
        notified_at=None,
        valid_from="2026-01-01T00:00:00+01:00",
        valid_until="2026-12-31T23:59:59+01:00",
        zone_code="rood",
    )
    rows, summary = bulk(
        api, ndjson(line("R-1"), permit, line("R-2", zone_code="Blauw", street="Veldstraat"))
    )
    assert [row.get("dossier_status") for row in rows] == [
        DossierStatus.CANCELLED_BY_PERMIT,
        DossierStatus.ACTIVE,
        DossierStatus.NOTIFIED,
    ]
    assert summary["cancelled_by_permit"] == 1
    cancelled = Dossier.objects.get(external_id="R-1")
    event = cancelled.timeline.get(kind=TimelineEventKind.CANCELLED_BY_PERMIT)
    assert event.data["permit"] == Dossier.objects.get(external_id="P-1").reference


# -- status updates, evidence, rights check, submissions ------------------------------------------


def test_status_updates_follow_the_lifecycle_and_tell_the_citizen(api):
    api.put("/api/v1/dossiers/S-1/", line("S-1"), format="json")
    response = api.post("/api/v1/dossiers/S-1/status/", {"type": "reminder_sent"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == DossierStatus.REMINDED
    assert response.json()["costs_cents"] == 1000
    event = OutboxEvent.objects.get(type=EventType.DOSSIER_UPDATED)
    assert event.data == {"change": TimelineEventKind.REMINDER, "update": "reminder_sent"}

    paid = api.post("/api/v1/dossiers/S-1/status/", {"type": "paid_elsewhere"}, format="json")
    assert paid.json()["status"] == DossierStatus.PAID and paid.json()["amount_due_cents"] == 0

    refused = api.post("/api/v1/dossiers/S-1/status/", {"type": "formal_notice_sent"}, format="json")
    assert refused.status_code == 400
    assert "kan niet naar" in json.dumps(refused.json()["errors"])
    assert api.post("/api/v1/dossiers/S-1/status/", {"type": "exploded"}, format="json").status_code == 400
    assert api.post("/api/v1/dossiers/NOPE/status/", {"type": "cancelled"}, format="json").status_code == 404


def test_evidence_is_checked_by_its_bytes(api):
    api.put("/api/v1/dossiers/E-1/", line("E-1"), format="json")
    photo = io.BytesIO(png_bytes())
    photo.name = "foto.png"
    response = api.post(
        "/api/v1/dossiers/E-1/evidence/", {"file": photo, "caption": "Scanwagen"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "foto.png"
    response = api.post("/api/v1/dossiers/E-1/evidence/", {"file": fake}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"][0]["code"] == "file_type"
    assert Dossier.objects.get(external_id="E-1").evidence.count() == 1


def test_rights_check_names_the_permit_and_is_rate_limited_per_key(city):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(city, rights_check_per_minute=3)}")
    permit = DossierFactory(
        kind=DossierKind.RESIDENT_PERMIT,
        organisation=city,
        municipality=city.municipalities.get(),
        party=person_party(),
        plate="1-ABC-123",
        zone_code="Rood",
        street="",
        occurred_at=None,
        valid_from=timezone.now() - dt.timedelta(days=1),
        active=True,
    )
    url = "/api/v1/rights-check/?plate=1abc123&municipality=44021"
    hit = client.get(url + "&zone=ROOD").json()
    assert hit["covered"] is True and hit["permit"]["reference"] == permit.reference
    miss = client.get(url + "&zone=Blauw").json()
    assert (miss["covered"], miss["permit"], miss["reason"]) == (False, None, None)
    assert client.get(url).status_code == 400  # neither zone nor street
    assert client.get(url + "&zone=Rood").status_code == 429
    assert client.get("/api/v1/rights-check/?plate=1&municipality=11002&zone=A").status_code == 429


def test_submissions_export_is_scoped_to_the_organisation(api, city):
    mine = submission_make(organisation=city)
    submission_make(organisation=OrganisationFactory(municipalities=[MunicipalityFactory(nis_code="11002")]))
    rows = api.get("/api/v1/submissions/").json()["results"]
    assert [row["reference"] for row in rows] == [mine.reference]
    assert "contact_email" not in rows[0]


def test_the_demo_key_works_in_demo_mode_only(db, settings):
    from eloket import demo
    from eloket.demo.api import DEMO_TOKEN, seed_api_key

    demo.seed()
    settings.DEMO_MODE = False
    assert seed_api_key() is None
    settings.DEMO_MODE = True
    key = seed_api_key()
    assert key.organisation.slug == "stad-genk" and seed_api_key() == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {DEMO_TOKEN}")
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 200 and response.json()["results"]


def test_an_endless_line_is_reported_and_cut_without_filling_the_memory():
    from eloket.ingest import MAX_LINE_BYTES, byte_lines, ndjson_lines

    body = io.BytesIO(b'{"a": 1}\n' + b"x" * (MAX_LINE_BYTES * 5) + b'\n{"b": 2}\n')
    lines = list(byte_lines(body, chunk_size=4096))
    assert lines[0] == b'{"a": 1}' and lines[-1] == b'{"b": 2}'
    assert max(len(line) for line in lines) <= MAX_LINE_BYTES + 1
    results = [item for _number, item in ndjson_lines(lines)]
    assert results[0] == {"a": 1} and results[-1] == {"b": 2}
    assert results[1].errors["line"][0]["code"] == "too_long"
    assert len(results) == 3


@pytest.mark.django_db(transaction=True)
@override_settings(API_BULK_BATCH_SIZE=40)
def test_on_postgresql_a_writer_thread_writes_while_the_next_batch_is_validated(city):
    from django.db import connection

    from eloket.ingest import Importer, ndjson_lines

    if connection.vendor != "postgresql":
        pytest.skip("the pipelined import is the PostgreSQL path (set DATABASE_URL to run this)")
    taken = DossierFactory(organisation=city, municipality=city.municipalities.get(), party=person_party())
    lines = [
        line(f"T-{i}", party={"national_number": national_number(), "name": f"B {i}"}) for i in range(130)
    ]
    lines[45] = line("T-45", ogm=taken.ogm)  # a conflict in the second batch
    lines[90] = line("T-1")  # a duplicate in the third
    importer = Importer(organisation=city, source="api", batch_size=40)
    assert importer.pipelined
    results = list(importer.feed(ndjson_lines(ndjson(*lines).splitlines())))
    run = importer.finish()
    assert [r.line for r in results] == list(range(1, 131))
    assert results[45].errors["line"][0]["code"] == "conflict"
    assert results[90].errors["external_id"][0]["code"] == "duplicate"
    assert (run.created, run.failed) == (128, 2)
    assert Dossier.objects.filter(external_id__startswith="T-").count() == 128


def test_an_oversized_request_is_refused_clearly(api):
    body = json.dumps(line("BIG", offence_description="x" * (3 * 1024 * 1024))).encode()
    response = api.generic("PUT", "/api/v1/dossiers/BIG/", body, content_type="application/json")
    assert response.status_code == 413
    assert "bulk" in response.json()["detail"]
    assert not Dossier.objects.filter(external_id="BIG").exists()


def test_nul_characters_are_a_clear_error_not_a_database_failure(api):
    rows, summary = bulk(api, ndjson(line("N-1", plate="1-AB\u0000C"), line("N-2")))
    assert rows[0]["errors"]["line"][0]["code"] == "null_character"
    assert rows[1]["status"] == "created" and summary["failed"] == 1
    response = api.put(
        "/api/v1/dossiers/N-3/", line("N-3", party={"national_number": NN, "name": "A\u0000"}), format="json"
    )
    assert response.status_code == 400
    assert api.get("/api/v1/dossiers/?kind=gas4%00").status_code == 400
    assert api.get("/api/v1/dossiers/?status=bestaat-niet").status_code == 400
    assert api.get("/api/v1/dossiers/N%00/").status_code == 404


@pytest.mark.parametrize(
    "value, found",
    [
        ({"plate": "1-ABC", "party": {"name": "An"}, "extra_plates": ["1-X"], "amount": 3}, False),
        ({"plate": "1-A\x00"}, True),
        ({"pl\x00te": "1-ABC"}, True),
        ({"party": {"name": "A\x00n"}}, True),
        ({"extra_plates": ["1-X", "1-\x00"]}, True),
        ({"extra_plates": [{"deep": ["\x00"]}]}, True),
        ({"amount": 3, "built_up_area": None, "flag": True}, False),
    ],
)
def test_a_nul_character_is_found_wherever_it_hides_in_a_line(value, found):
    from eloket.ingest import _has_null

    assert _has_null(value) is found


def test_the_readers_find_a_nul_character_in_ndjson_and_csv_and_only_then_validation_looks_again():
    from eloket.ingest import Storable, csv_lines, ndjson_lines

    lines = dict(
        ndjson_lines(
            [
                json.dumps({"plate": "1-A\x00"}).encode(),  # the escape \u0000
                json.dumps({"plate": "1-A\\u0000"}).encode(),  # a backslash, then the text u0000
                json.dumps({"party": {"name": "An"}}).encode(),
            ]
        )
    )
    assert not isinstance(lines[1], Storable) and lines[1]["plate"] == "1-A\x00"
    assert not isinstance(lines[2], Storable) and "\x00" not in lines[2]["plate"]
    assert isinstance(lines[3], Storable)
    surrogates = dict(
        ndjson_lines(
            [
                json.dumps({"plate": "\ud800"}).encode(),  # an escaped lone surrogate
                b'{"plate": "\xed\xa0\x80"}',  # its UTF-8-like bytes, which json.loads lets through
                json.dumps({"plate": "\U0001f600"}).encode(),  # a valid pair, escaped
            ]
        )
    )
    assert not any(isinstance(line, Storable) for line in surrogates.values())
    assert surrogates[2]["plate"] == "\ud800" and surrogates[3]["plate"] == "\U0001f600"
    rows = dict(
        csv_lines(io.StringIO("external_id,plate,party_name\nC-1,1-A\x00,An\nC-2,1-B,A\x00n\nC-3,1-C,An\n"))
    )
    assert [isinstance(rows[n], Storable) for n in (2, 3, 4)] == [False, False, True]


def test_the_garbage_collector_pauses_during_a_bulk_import_and_no_longer(api, city):
    import gc

    def post(prefix: str):
        # Results come in chunks of 500 lines: with 600, the first chunk leaves the import mid-way.
        body = ndjson(*(line(f"{prefix}-{i}") for i in range(600)))
        return api.generic("POST", "/api/v1/dossiers/bulk/", body, content_type="application/x-ndjson")

    chunks = iter(post("GC").streaming_content)
    first = next(chunks)
    assert gc.isenabled() is False
    rest = b"".join(chunks)
    assert gc.isenabled() is True
    assert (first + rest).count(b'"status": "created"') == 600
    # A client that goes away mid-stream: the server closes the response, which closes the import's
    # generator (here directly: the test client's close would also close the test's connection).
    from eloket.ingest import Importer, byte_lines, ndjson_lines

    body = ndjson(*(line(f"GD-{i}") for i in range(3)))
    results = Importer(organisation=city, source="api").feed(ndjson_lines(byte_lines(io.BytesIO(body))))
    assert next(results).status == "created"
    assert gc.isenabled() is False
    results.close()
    assert gc.isenabled() is True
    # It never turns on a collector that was off before.
    gc.disable()
    try:
        bulk(api, ndjson(line("GC-X")))
        assert gc.isenabled() is False
    finally:
        gc.enable()
