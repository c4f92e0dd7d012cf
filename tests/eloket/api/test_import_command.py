"""``manage.py import_dossiers``: CSV and NDJSON, the same validation and per-line report as the API."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from eloket.models import Dossier, ImportRun
from tests.factories import enterprise_number, national_number

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,kind,municipality,party_national_number,party_enterprise_number,party_name,"
    "plate,zone_code,occurred_at,amount_cents,extra_plates\n"
)


RB = "parking_retribution,44021"


def test_csv_lines_are_imported_and_bad_lines_reported_with_their_line_number(city, tmp_path, capsys):
    path = tmp_path / "scans.csv"
    path.write_text(
        HEADER
        + f"K-1,{RB},{national_number()},,An Peeters,1-ABC-123,Rood,2026-11-20T10:00:00,3500,\n"
        + f"K-2,{RB},,{enterprise_number()},Logistiek NV,2-BCD-234,Rood,2026-11-20T11:00:00,3500,\n"
        + "K-3,parking_retribution,44021,12345678901,,Fout,3-CDE-345,Rood,2026-11-20T12:00:00,3500,\n"
        + "K-4,parking_retribution,44021,,,Niemand,4-DEF-456,Rood,morgen,3500,\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.ndjson"
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_dossiers",
            str(path),
            "--organisation",
            city.slug,
            "--report",
            str(report),
            "--no-progress",
        )
    assert "2 line(s) were not imported" in str(failed.value)
    output = capsys.readouterr()
    assert "2 created" in output.out
    assert "scans.csv:4: party: Dit is geen geldig rijksregisternummer" in output.err
    assert "scans.csv:5: occurred_at:" in output.err
    assert "12345678901" not in output.err  # the (invalid) number itself is never echoed
    results = [json.loads(row) for row in report.read_text().splitlines()]
    assert [r["status"] for r in results] == ["created", "created", "error", "error"]
    assert set(Dossier.objects.values_list("external_id", flat=True)) == {"K-1", "K-2"}
    assert Dossier.objects.get(external_id="K-1").party.display_name == "An Peeters"
    assert ImportRun.objects.get().source == "command"


def test_ndjson_import_is_idempotent(city, tmp_path, capsys):
    path = tmp_path / "scans.ndjson"
    line = {
        "external_id": "N-1",
        "kind": "parking_retribution",
        "municipality": "44021",
        "party": {"national_number": national_number()},
        "plate": "1-ABC-123",
        "zone_code": "Rood",
        "occurred_at": "2026-11-20T10:00:00+01:00",
        "amount_cents": 3500,
    }
    path.write_text(json.dumps(line) + "\n")
    call_command("import_dossiers", str(path), "--organisation", city.slug, "--no-progress")
    call_command("import_dossiers", str(path), "--organisation", city.slug, "--no-progress")
    assert "1 unchanged" in capsys.readouterr().out
    assert Dossier.objects.count() == 1


def test_an_unknown_organisation_is_a_clear_error(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER)
    with pytest.raises(CommandError, match="no organisation"):
        call_command("import_dossiers", str(path), "--organisation", "nergens")
