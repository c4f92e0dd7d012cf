"""The CSV import of parking areas: upsert by (municipality, code), all or nothing, with errors per line
and column a city clerk understands; and ``manage.py import_parking_areas``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from eloket.constants import OrganisationKind
from eloket.models.parking import ParkingArea
from eloket.sessions.areas import parking_areas_import
from tests.factories import MunicipalityFactory, OrganisationFactory, RegulationFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "municipality,code,name_nl,name_fr,name_en,name_de,tariff_zone,streets,neighbours,organisation,polygon"
)
RING = [[5.49, 50.96], [5.51, 50.96], [5.51, 50.97], [5.49, 50.96]]
POLYGON = json.dumps({"type": "Polygon", "coordinates": [RING]}).replace('"', '""')


@pytest.fixture
def genk():
    municipality = MunicipalityFactory(nis_code="71016", name_nl="Genk")
    organisation = OrganisationFactory(slug="opc-genk", municipalities=[municipality])
    RegulationFactory(organisation=organisation, municipality=municipality)
    OrganisationFactory(slug="stad-genk", municipalities=[municipality])  # no retribution regulation
    return organisation


GOOD = "\n".join(
    [
        HEADER,
        f'71016,gnk-c1,Centrum,Centre,Centre,Zentrum,rood,Markt;Sint-Jansstraat,GNK-C2,,"{POLYGON}"',
        "71016,GNK-C2,Station,Gare,Station,Bahnhof,blauw,Stationsstraat,,opc-genk,",
    ]
)


def run(text: str, **options):
    return parking_areas_import(file=io.BytesIO(text.encode()), **options)


def test_a_good_file_creates_the_areas_with_streets_neighbours_and_the_default_organisation(genk):
    result = run(GOOD)

    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    c1 = ParkingArea.objects.get(code="GNK-C1")
    assert (c1.organisation, c1.name_de, c1.tariff_zone, c1.streets) == (
        genk, "Zentrum", "rood", ["Markt", "Sint-Jansstraat"],
    )  # fmt: skip
    assert sorted(c1.street_keys.values_list("street_key", flat=True)) == ["markt", "sintjansstraat"]
    assert c1.polygon["coordinates"] == [RING]
    c2 = ParkingArea.objects.get(code="GNK-C2")
    assert list(c2.neighbours.all()) == [c1]  # named on the other line: both ways


def test_a_second_run_changes_nothing_and_a_changed_line_is_an_update(genk):
    run(GOOD)
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    changed = run(GOOD.replace("Station,Gare", "Stationsbuurt,Gare"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert ParkingArea.objects.get(code="GNK-C2").name_nl == "Stationsbuurt"
    assert ParkingArea.objects.count() == 2


def test_a_dry_run_counts_and_writes_nothing(genk):
    result = run(GOOD, dry_run=True)
    assert (result.ok, result.created, result.dry_run) == (True, 2, True)
    assert not ParkingArea.objects.exists()


def test_a_bom_and_semicolons_as_a_spreadsheet_writes_them_are_read(genk):
    text = "\ufeff" + "\n".join(
        [HEADER.replace(",", ";"), '71016;GNK-C3;Noord;;;;;"Noorderlaan;Kolderbos";;;']
    )
    result = parking_areas_import(file=io.BytesIO(text.encode("utf-8")))
    assert (result.ok, result.created) == (True, 1), result.errors
    assert ParkingArea.objects.get(code="GNK-C3").streets == ["Noorderlaan", "Kolderbos"]


def errors_of(text: str):
    result = run(text)
    assert not ParkingArea.objects.exists(), "nothing is written when a line is wrong"
    return {(error.line, error.field): error.message for error in result.errors}


def test_every_error_is_reported_with_its_line_and_column_and_nothing_is_written(genk):
    OrganisationFactory(slug="4411", kind=OrganisationKind.PARKING_PROVIDER)
    bad = '{""type"": ""Point"", ""coordinates"": [5, 50]}'
    text = "\n".join(
        [
            HEADER,
            "71016,GNK-C1,Centrum,,,,,Markt,GNK-C9,,",  # line 2: unknown neighbour
            "99999,GNK-C1,Elders,,,,,,,,",  # line 3: unknown NIS code
            "71016,GNK-C4,Vier,,,,,,,geen-idee,",  # line 4: unknown organisation
            f'71016,GNK-C5,Vijf,,,,,,GNK-C4,,"{bad}"',  # line 5: not a polygon (GNK-C4 is named)
            "71016,GNK-C6,Zes,,,,,,,,{not json",  # line 6: not JSON
            "71016,gnk-c1,Dubbel,,,,,,,,",  # line 7: the same code again
            "71016,GNK-C7,,,,,,,,4411,",  # line 8: no Dutch name, a provider
        ]
    )
    errors = errors_of(text)

    assert "GNK-C9" in errors[2, "neighbours"]
    assert "99999" in errors[3, "municipality"]
    assert "geen-idee" in errors[4, "organisation"]
    assert "GeoJSON" in errors[5, "polygon"] and "JSON" in errors[6, "polygon"]
    assert (5, "neighbours") not in errors  # GNK-C4 is in the file, if on a wrong line
    assert "regel 2" in errors[7, "code"]
    assert (8, "name_nl") in errors and "aanbieder" in errors[8, "organisation"]


def test_without_an_organisation_column_a_city_with_two_collectors_must_name_one(genk):
    RegulationFactory(organisation=genk.municipalities.get().organisations.get(slug="stad-genk"))
    errors = errors_of(HEADER + "\n71016,GNK-C1,Centrum,,,,,,,,")
    assert "opc-genk" in errors[2, "organisation"] and "stad-genk" in errors[2, "organisation"]


def test_a_missing_column_and_a_file_that_is_not_utf8_are_refused(genk):
    assert (1, "header") in errors_of("municipality,name_nl\n71016,Centrum")
    result = parking_areas_import(
        file=io.BytesIO((HEADER + "\n71016,GNK-C1,Caf\xe9,,,,,,,,").encode("latin-1"))
    )
    assert [error.field for error in result.errors] == ["file"]


def test_the_command_prints_a_summary_or_the_errors_and_exits_with_1(genk, tmp_path, capsys):
    good = tmp_path / "zones.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_parking_areas", str(good), "--dry-run", stdout=out)
    assert "2 created" in out.getvalue() and "dry run" in out.getvalue()
    assert not ParkingArea.objects.exists()

    call_command("import_parking_areas", str(good), stdout=out)
    assert ParkingArea.objects.count() == 2

    bad = tmp_path / "fout.csv"
    bad.write_text(HEADER + "\n99999,X1,Elders,,,,,,,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_parking_areas", str(bad), stderr=err)
    assert "nothing was written" in str(failed.value) and failed.value.returncode == 1
    assert "fout.csv:regel 2, kolom municipality" in err.getvalue()
