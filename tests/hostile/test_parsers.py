"""Fuzzing the readers of what city systems and banks send: the NDJSON and CSV readers with the line
validator (``eloket.ingest``) and the CODA parser (``eloket.payments.coda``), on arbitrary bytes and on
valid input with mutated fields, wrong encodings, NUL, huge and truncated lines.

The property: only the documented errors come out (a ``LineError`` per line, CODA errors as
``(line number, message)`` with a line number inside the file, ``CodaRejected`` from the import) and
never another exception; through HTTP (the bulk endpoint, the clerk's CODA upload) never a 5xx.
Deterministic (``derandomize=True``) and bounded, so the package stays well under two minutes.
"""

from __future__ import annotations

import contextlib
import io
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eloket.ingest import (
    MAX_LINE_BYTES,
    CleanLine,
    Context,
    LineError,
    byte_lines,
    csv_lines,
    csv_text,
    line_validate,
    ndjson_lines,
)
from eloket.payments import coda
from eloket.payments.coda_build import Credit, coda_statement
from tests.factories import national_number


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# -- hostile values ----------------------------------------------------------------------------

NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\ud800",  # a lone surrogate: valid in JSON (\\ud800), not encodable as UTF-8
            "\udfff tail",
            "\u202e" + "fdp.exe",
            "<script>alert(1)</script>",
            "'; DROP TABLE eloket_dossier; --",
            "9" * 400,
            "x" * 5000,
            "2026-02-30T10:00:00",
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59-23:59",
            "2026-11-20T10:15:00+99:00",
            "NaN",
            "-0",
            "1e400",
            " ",
            "\t\n",
            "１２３",  # full-width digits
            "²",
        ]
    ),
)
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    NASTY_TEXT,
)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(NASTY_TEXT, children, max_size=4)
    ),
    max_leaves=8,
)


def valid_line(external_id: str = "SCAN-1") -> dict:
    return {
        "external_id": external_id,
        "kind": "parking_retribution",
        "municipality": "44021",
        "party": {"national_number": national_number(), "name": "Jan Janssens"},
        "plate": "1-ABC-123",
        "street": "Korenmarkt",
        "house_number": "12",
        "zone_code": "Rood",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "regulation": "RET-2026",
        "status": "notified",
        "notified_at": "2026-11-21T09:00:00+01:00",
        "amount_cents": 2000,
        "language": "nl",
        "latitude": 50.95,
        "longitude": 5.5,
        "extra_plates": ["2-XYZ-987"],
    }


FIELDS = [
    *valid_line(),
    "party.national_number",
    "party.name",
    "party.enterprise_number",
    "gas_category",
    "ogm",
]


@st.composite
def mutated_lines(draw) -> dict:
    """A valid line with one to three fields replaced by hostile values, removed, or added."""
    line = valid_line(draw(st.sampled_from(["SCAN-1", "SCAN-2", "x" * 101, "é/../1"])))
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(FIELDS))
        action = draw(st.sampled_from(["replace", "replace", "text", "delete"]))
        target, key = (line.get("party"), name.split(".")[1]) if name.startswith("party.") else (line, name)
        if not isinstance(target, dict):
            continue
        if action == "delete":
            target.pop(key, None)
        elif action == "text":  # a hostile string where a string belongs: the rest stays valid
            target[key] = draw(NASTY_TEXT)
        else:
            target[key] = draw(JSON_VALUE)
    if draw(st.booleans()):
        line["party"] = draw(st.one_of(JSON_VALUE, st.just(line.get("party"))))
    return line


@st.composite
def mutated_bytes(draw, lines) -> bytes:
    """Serialised lines with byte-level damage: truncated, NUL, invalid UTF-8, a BOM, CRLF."""
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    damage = draw(
        st.sampled_from(["none", "truncate", "nul", "latin1", "bom", "crlf", "huge", "raw_surrogate"])
    )
    if damage == "truncate" and body:
        body = body[: draw(st.integers(0, len(body) - 1))]
    elif damage == "nul":
        at = draw(st.integers(0, len(body)))
        body = body[:at] + b"\x00" + body[at:]
    elif damage == "latin1":
        body = body.replace(b"Korenmarkt", "Korenmärkt".encode("latin-1"))
    elif damage == "bom":
        body = b"\xef\xbb\xbf" + body
    elif damage == "crlf":
        body = body.replace(b"\n", b"\r\n")
    elif damage == "huge":
        body = b'{"external_id": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n' + body
    elif damage == "raw_surrogate":
        body = body.replace(b"Korenmarkt", b"Koren\xed\xa0\x80markt")
    return body


# -- NDJSON ------------------------------------------------------------------------------------


@pytest.fixture
def context(db):
    from tests.factories import MunicipalityFactory, OrganisationFactory, RegulationFactory

    municipality = MunicipalityFactory(nis_code="44021")
    organisation = OrganisationFactory(slug="gent", municipalities=[municipality])
    RegulationFactory(organisation=organisation, code="RET-2026")
    return Context(organisation)


def ndjson_check(body: bytes, context: Context, tally, category: str) -> None:
    """Read and validate ``body``; anything but a dict, a ``LineError`` or a ``CleanLine`` is a finding."""
    tally.attempt(category)
    try:
        items = list(ndjson_lines(byte_lines(io.BytesIO(body), chunk_size=97)))
        numbers = [number for number, _item in items]
        assert numbers == sorted(numbers)
        for number, item in items:
            assert isinstance(item, dict | LineError)
            if isinstance(item, dict):
                try:
                    assert isinstance(line_validate(item, context, number), CleanLine)
                except LineError as error:
                    assert error.errors and all(isinstance(v, list) for v in error.errors.values())
    except Exception as error:
        tally.finding(category, f"{type(error).__name__}: {error!s:.120} on {body[:80]!r}")
        raise


@pytest.mark.django_db
@fuzz(150)
@given(body=st.binary(max_size=600))
def test_ndjson_of_arbitrary_bytes_gives_only_line_errors(body, context, tally):
    ndjson_check(body, context, tally, "ndjson: arbitrary bytes")


@pytest.mark.django_db
@fuzz(250)
@given(data=st.data())
def test_ndjson_of_mutated_dossier_lines_gives_only_line_errors(data, context, tally):
    lines = data.draw(st.lists(mutated_lines(), min_size=1, max_size=3))
    ndjson_check(data.draw(mutated_bytes(lines)), context, tally, "ndjson: mutated lines")


def test_a_bad_timestamp_is_an_error_of_the_line_not_silently_dropped(context):
    """``notified_at`` and ``issued_at`` were read after the line's errors were raised, so a wrong
    value there was dropped without a word and the dossier made with the import's own time."""
    for name in ("notified_at", "issued_at"):
        with pytest.raises(LineError) as error:
            line_validate({**valid_line(), name: "gisteren"}, context)
        assert error.value.errors[name][0]["code"] == "invalid_datetime"


# -- CSV ---------------------------------------------------------------------------------------

CSV_HEADER = (
    "external_id,kind,municipality,party_national_number,party_name,plate,street,occurred_at,"
    "regulation,status,extra_plates"
)


def csv_row(draw) -> str:
    cells = [
        "SCAN-1",
        "parking_retribution",
        "44021",
        national_number(),
        "Jan Janssens",
        "1-ABC-123",
        "Korenmarkt",
        "2026-11-20T10:15:00+01:00",
        "RET-2026",
        "notified",
        "2-XYZ-987;3-DEF-456",
    ]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(cells) - 1))
        cells[at] = draw(NASTY_TEXT)
    if draw(st.booleans()):
        cells.append(draw(NASTY_TEXT))  # a column more than the header
    quoted = draw(st.booleans())
    return ",".join('"' + c.replace('"', '""') + '"' if quoted else c for c in cells)


@st.composite
def csv_files(draw) -> bytes:
    text = "\n".join([CSV_HEADER, *(csv_row(draw) for _ in range(draw(st.integers(1, 3))))]) + "\n"
    body = text.encode("utf-8", "surrogatepass")
    damage = draw(st.sampled_from(["none", "bom", "latin1", "nul", "truncate", "open_quote", "huge_field"]))
    if damage == "bom":
        body = b"\xef\xbb\xbf" + body
    elif damage == "latin1":
        body = body + "Korenmärkt,x\n".encode("latin-1")
    elif damage == "nul":
        body = body.replace(b"Korenmarkt", b"Koren\x00markt")
    elif damage == "truncate":
        body = body[: draw(st.integers(0, len(body)))]
    elif damage == "open_quote":
        body = body + b'"SCAN-9,parking_retribution\n'
    elif damage == "huge_field":
        body = body + b"SCAN-9," + b"x" * 140_000 + b"\n"
    return body


def csv_check(body: bytes, context: Context, tally, category: str) -> None:
    tally.attempt(category)
    try:
        for number, item in csv_lines(csv_text(io.BytesIO(body))):
            assert isinstance(number, int) and isinstance(item, dict | LineError)
            if isinstance(item, dict):
                with contextlib.suppress(LineError):
                    line_validate(item, context, number)
    except Exception as error:
        tally.finding(category, f"{type(error).__name__}: {error!s:.120} on {body[:60]!r}")
        raise


@pytest.mark.django_db
@fuzz(150)
@given(body=st.binary(max_size=600))
def test_csv_of_arbitrary_bytes_gives_only_line_errors(body, context, tally):
    csv_check(b"external_id,kind,party_name\n" + body, context, tally, "csv: arbitrary bytes")


@pytest.mark.django_db
@fuzz(200)
@given(body=csv_files())
def test_csv_of_mutated_rows_gives_only_line_errors(body, context, tally):
    csv_check(body, context, tally, "csv: mutated rows")


# -- CODA --------------------------------------------------------------------------------------

IBAN = "BE21001234567803"


def coda_sample() -> bytes:
    from datetime import date

    return coda_statement(
        iban=IBAN,
        credits=[
            Credit(5800, ogm="123456789002"),
            Credit(1234, text="factuur 7"),
            Credit(999, ogm="090933755493"),
        ],
        day=date(2026, 11, 20),
    )


def coda_check(content: bytes, tally, category: str) -> coda.CodaFile:
    tally.attempt(category)
    try:
        parsed = coda.parse(content)
        count = max(1, len(coda.decode(content).splitlines()))
        for number, message in parsed.errors:
            assert isinstance(message, str) and message
            assert 1 <= number <= count, (number, count)
        assert len(parsed.errors) <= coda.MAX_ERRORS
        for movement in parsed.movements:
            assert isinstance(movement.amount_cents, int)
            assert movement.ogm == "" or (len(movement.ogm) == 12 and movement.ogm.isascii())
        return parsed
    except Exception as error:
        tally.finding(category, f"{type(error).__name__}: {error!s:.120} on {content[:60]!r}")
        raise


@fuzz(150)
@given(content=st.binary(max_size=800))
def test_coda_of_arbitrary_bytes_gives_only_numbered_errors(content, tally):
    coda_check(content, tally, "coda: arbitrary bytes")


CODA_CHARS = st.sampled_from([*string.digits, *" +-xX\x00é²１\u2028\r", "\udc80"])


@st.composite
def coda_mutations(draw) -> bytes:
    lines = coda_sample().decode("latin-1").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        how = draw(st.sampled_from(["char", "char", "cut", "drop", "repeat", "swap", "long"]))
        if how == "char":
            pos = draw(st.integers(0, len(line) - 1)) if line else 0
            lines[at] = line[:pos] + draw(CODA_CHARS) + line[pos + 1 :]
        elif how == "cut":
            lines[at] = line[: draw(st.integers(0, len(line)))]
        elif how == "drop":
            del lines[at]
            if not lines:
                break
        elif how == "repeat":
            lines.insert(at, line)
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines[at] = line + "9" * 10_000
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["latin-1", "utf-8", "utf-16"]))
    return text.encode(encoding, "surrogatepass" if encoding != "latin-1" else "replace")


@fuzz(250)
@given(content=coda_mutations())
def test_coda_with_damaged_records_gives_only_numbered_errors(content, tally):
    coda_check(content, tally, "coda: mutated records")


@pytest.mark.django_db
@fuzz(60)
@given(content=coda_mutations())
def test_importing_a_damaged_coda_file_is_refused_or_imported_never_an_error(content, tally):
    from eloket.payments.coda_import import CodaRejected, coda_import
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(iban=IBAN)
    tally.attempt("coda: import")
    try:
        coda_import(organisation=organisation, content=content, file_name="fuzz.cod")
    except CodaRejected as rejected:
        assert rejected.errors and all(isinstance(n, int) for n, _m in rejected.errors)
    except Exception as error:
        tally.finding("coda: import", f"{type(error).__name__}: {error!s:.120}")
        raise


def test_a_csv_file_that_is_not_utf8_is_refused_on_its_line_not_with_a_traceback(context, tmp_path, capsys):
    """The reader decoded the file in blocks, and a Latin-1 byte (Excel's "CSV" on Windows) raised
    UnicodeDecodeError out of ``manage.py import_dossiers``; an endless quoted field raised csv.Error."""
    from django.core.management import CommandError, call_command

    good = (
        f"K-1,parking_retribution,44021,{national_number()},An,1-ABC-123,Markt,"
        "2026-11-20T10:00:00,RET-2026,notified,"
    )
    path = tmp_path / "scans.csv"
    path.write_bytes(f"{CSV_HEADER}\n{good}\n".encode() + "K-2,Korenmärkt\n".encode("latin-1") + b"K-3,x\n")
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(path), "--organisation", "gent", "--no-progress")
    assert "scans.csv:3: line: Vanaf deze regel is het bestand geen UTF-8" in capsys.readouterr().err
    broken = list(csv_lines(csv_text(io.BytesIO(f'{CSV_HEADER}\n"K-1,{"x" * 140_000}\n'.encode()))))
    assert [(n, e.errors["line"][0]["code"]) for n, e in broken] == [(2, "invalid_csv")]


@pytest.mark.django_db
def test_lone_surrogates_are_an_error_of_their_line_not_a_failed_batch(context, tally):
    """JSON allows ``"\\ud800"``, UTF-8 cannot encode it: the batch writer failed on it (on
    PostgreSQL's COPY, UnicodeEncodeError) and the bulk answer broke off with the other lines."""
    from eloket.ingest import Importer
    from eloket.models import ImportRun

    importer = Importer(organisation=context.organisation, source=ImportRun.Source.API)
    lines = [
        (1, {**valid_line("N-1"), "street": "Koren\x00markt"}),
        (2, {**valid_line("N-2"), "street": "Koren\ud800markt"}),
        (3, {**valid_line("N-3"), "party": {"national_number": national_number(), "name": "\udfff"}}),
        (4, {**valid_line("N-4"), "offence_description": "\ud83d"}),
        (5, valid_line("N-5")),
    ]
    tally.attempt("ndjson: NUL and surrogates", len(lines))
    results = list(importer.feed(lines))
    importer.finish()
    assert [r.status for r in results] == ["error"] * 4 + ["created"], [r.as_dict() for r in results]
    assert results[1].errors["line"][0]["code"] == "invalid_unicode"


@pytest.mark.django_db
def test_a_nul_in_a_coda_record_is_refused_with_its_line_not_a_database_error(tally):
    """PostgreSQL refuses NUL in text: the import's COPY failed with CharacterNotInRepertoire."""
    from eloket.payments.coda_import import CodaRejected, coda_import
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(iban=IBAN)
    text = coda_sample().decode("latin-1").replace("factuur 7", "fact\x00ur 7")
    tally.attempt("coda: NUL in a communication")
    with pytest.raises(CodaRejected) as rejected:
        coda_import(organisation=organisation, content=text.encode("latin-1"), file_name="nul.cod")
    assert any("NUL" in message for _number, message in rejected.value.errors)
