"""Dossiers from city systems: one validator and one writer for the API (one dossier, or an NDJSON
stream of many) and for ``manage.py import_dossiers`` (CSV or NDJSON).

A line is a JSON object (or a CSV row, flattened: ``party_national_number``, ``extra_plates`` as
``;``-separated…); see docs/api.md for the fields. Each line gets a result with its line number:
``created``, ``updated``, ``unchanged`` or ``error`` with errors per field. Lines are written in
batches, one transaction each; a line is applied whole (dossier, timeline, outbox event, permit and
parking-session cross-checks) or not at all: when a batch fails on a conflict, its lines are retried
one by one, each in its own savepoint, so one bad line never takes the others with it.

The party is the plate holder at the time of the facts (for a company: its enterprise number); it is
found by the keyed hash of that number (``eloket.identifiers``) and created when new, so a dossier for
someone who never logged in waits for them and appears at their first login.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eloket.constants import DossierKind, DossierStatus, Language, MailFrequency, TimelineEventKind
from eloket.identifiers import parse_enterprise_number, parse_national_number
from eloket.models import (
    Dossier,
    ImportRun,
    Municipality,
    Organisation,
    OutboxEvent,
    Party,
    PermitMatch,
    Regulation,
    SessionMatch,
    TimelineEvent,
)
from eloket.models.integrations import EventType
from eloket.ogm import ogm_random, ogm_validate
from eloket.outbox import outbox_poke_after_commit
from eloket.permits import PERMIT_KINDS, permit_cross_check, permit_scope_rebuild
from eloket.places import street_key, zone_code_normalise
from eloket.plates import plate_normalise
from eloket.policies import policy_for
from eloket.references import PREFIX as REFERENCE_PREFIX
from eloket.references import reference_new
from eloket.scale.writer import Writer
from eloket.sessions.cross_check import session_cross_check

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 64 * 1024

# Facts a source system may correct on an existing dossier; the party and kind never change, and
# the status only through a status update (eloket.api).
UPDATABLE = (
    "plate",
    "extra_plates",
    "street",
    "house_number",
    "zone_code",
    "latitude",
    "longitude",
    "occurred_at",
    "valid_from",
    "valid_until",
    "offence_code",
    "offence_description",
    "language",
    "pay_by",
    "contest_by",
)
_TEXT_LIMITS = {
    "external_id": 100,
    "plate": 16,
    "street": 200,
    "house_number": 16,
    "zone_code": 32,
    "offence_code": 32,
    "offence_description": 255,
}
KNOWN_FIELDS = frozenset(
    {
        "external_id",
        "kind",
        "municipality",
        "party",
        "regulation",
        "status",
        "notified_at",
        "issued_at",
        "ogm",
        "amount_cents",
        "gas_category",
        "speed_limit_kmh",
        "measured_speed_kmh",
        "built_up_area",
        *UPDATABLE,
    }
)
PARTY_FIELDS = frozenset({"national_number", "enterprise_number", "name", "language", "establishment_unit"})


class LineError(Exception):
    def __init__(self, errors: dict[str, list[dict]]):
        super().__init__("invalid line")
        self.errors = errors


def _error(code: str, message: str) -> dict:
    return {"code": code, "message": str(message)}


@dataclass
class LineResult:
    line: int
    external_id: str | None
    status: str  # created | updated | unchanged | error
    reference: str | None = None
    dossier_status: str | None = None
    errors: dict[str, list[dict]] | None = None

    def as_dict(self) -> dict:
        result = {"line": self.line, "external_id": self.external_id, "status": self.status}
        if self.reference:
            result["reference"] = self.reference
            result["dossier_status"] = self.dossier_status
        if self.errors:
            result["errors"] = self.errors
        return result


@dataclass
class Prepared:
    """A new dossier's row (``_DOSSIER_COLUMNS`` order) and its timeline events (without dossier id)."""

    row: list
    events: list[tuple]
    status: str


@dataclass
class CleanLine:
    line: int
    external_id: str
    kind: str
    municipality_id: int
    identifier: object
    party_name: str
    party_language: str
    establishment_unit: str
    target_status: str | None
    notified_at: dt.datetime | None
    issued_at: dt.datetime | None
    regulation: Regulation | None
    amount_cents: int | None
    ogm: str | None
    fields: dict = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # the fields the line sent: an update changes only these
    party_hash: str = ""
    prepared: Prepared | None = None


# -- parsing -------------------------------------------------------------------------------------


def byte_lines(stream, chunk_size: int = 1 << 16, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary stream, read in large chunks (a server's ``readline`` per line costs more
    than the line's JSON). A line longer than ``limit`` is cut there, and the rest of it skipped, so
    one endless line cannot fill the memory; ``ndjson_lines`` reports it as too long."""
    rest = b""
    skipping = False
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            if skipping:  # the end of a line already reported
                skipping = False
                continue
            yield line
        if len(rest) > limit:
            if not skipping:
                yield rest[: limit + 1]
            skipping = True
            rest = b""
    if rest and not skipping:
        yield rest


class Storable(dict):
    """A line as a reader parsed it from text in which it found neither a NUL character nor what could
    become a lone surrogate (a search of the raw line, in C), so validation need not walk every key
    and value for them (``_storable_check``)."""


# What in a raw NDJSON line can become text no database stores: the escape \u0000, an escaped
# surrogate (\ud800-\udfff; a valid pair is fine, but then the walk decides), and the UTF-8 lead byte
# of U+D000-U+DFFF, which json.loads decodes with "surrogatepass" (it also leads Hangul: walked too).
_UNSTORABLE = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|\xed")


def ndjson_lines(stream: Iterable[bytes]) -> Iterator[tuple[int, dict | LineError]]:
    """(line number, object or error) for each non-blank line of an NDJSON byte stream (an iterable
    of lines, e.g. ``byte_lines(request)``)."""
    for number, raw in enumerate(stream, start=1):
        if len(raw) > MAX_LINE_BYTES:
            yield (
                number,
                LineError(
                    {
                        "line": [
                            _error(
                                "too_long",
                                _("Deze regel is langer dan %(max)s bytes.") % {"max": MAX_LINE_BYTES},
                            )
                        ]
                    }
                ),
            )
            continue
        text = raw.strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            yield number, LineError({"line": [_error("invalid_json", _("Geen geldige JSON: %s") % error)]})
            continue
        if not isinstance(value, dict):
            yield (
                number,
                LineError({"line": [_error("not_an_object", _("Elke regel moet een JSON-object zijn."))]}),
            )
            continue
        yield number, value if _UNSTORABLE.search(text) else Storable(value)


def csv_lines(text_stream: Iterable[str]) -> Iterator[tuple[int, dict | LineError]]:
    """CSV with a header row; ``party_*`` columns form the party, ``extra_plates`` is ``;``-separated.

    A file that is not UTF-8, or whose CSV is broken (an endless quoted field), ends in one error on the
    line where reading stopped; the lines before it stand."""
    reader = csv.DictReader(text_stream)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            message = _("Vanaf deze regel is het bestand geen UTF-8; bewaar het als CSV (UTF-8).")
            yield reader.reader.line_num + 1, LineError({"line": [_error("not_utf8", message)]})
            return
        except csv.Error as error:
            message = _("Geen geldige CSV vanaf deze regel: %s") % error
            yield reader.reader.line_num, LineError({"line": [_error("invalid_csv", message)]})
            return
        number = reader.line_num
        if None in row:
            yield (
                number,
                LineError({"line": [_error("too_many_columns", _("Meer kolommen dan de kopregel."))]}),
            )
            continue
        yield number, _csv_row(row)


def _csv_row(row: dict) -> dict:
    value: dict = {}
    party: dict = {}
    nul = False
    for key, cell in row.items():
        cell = (cell or "").strip()
        if cell == "":
            continue
        nul = nul or "\x00" in cell or "\x00" in key
        if key.startswith("party_"):
            party[key.removeprefix("party_")] = cell
        elif key == "extra_plates":
            value[key] = [plate.strip() for plate in cell.split(";") if plate.strip()]
        else:
            value[key] = cell
    if party:
        value["party"] = party
    # Decoded strictly as UTF-8, a cell holds no lone surrogate; only a NUL needs looking for.
    return value if nul else Storable(value)


def csv_text(binary: io.BufferedIOBase) -> Iterator[str]:
    """The file's lines decoded one by one (a leading BOM dropped), so a byte that is not UTF-8 is
    reported on its own line rather than somewhere in a decoded block of 8 KB."""
    for number, raw in enumerate(binary):
        yield raw.decode("utf-8-sig" if number == 0 else "utf-8")


# -- validation ----------------------------------------------------------------------------------


class Context:
    """What validation needs to know about the organisation, loaded once per import."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        self.municipalities = {m.nis_code: m.pk for m in organisation.municipalities.only("id", "nis_code")}
        self.all_nis = None
        self.regulations = {r.code: r for r in Regulation.objects.filter(organisation=organisation)}
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.kinds = {k.value for k in DossierKind}
        self.languages = {lang.value for lang in Language}
        self._identifiers: dict = {}

    def identifier(self, parse, value: str):
        """(identifier, its hash), remembered for this import only: a lease company or a regular
        parker is on many lines, and validation plus the keyed hash is a large part of a line."""
        key = (parse, value)
        found = self._identifiers.get(key)
        if found is None:
            identifier = parse(value)
            found = self._identifiers[key] = (identifier, identifier.hashed)
        return found

    def nis_known(self, code: str) -> bool:
        if self.all_nis is None:
            self.all_nis = set(Municipality.objects.values_list("nis_code", flat=True))
        return code in self.all_nis


def _text(data, name, errors, *, required=False) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors.setdefault(name, []).append(_error("required", _("Dit veld is verplicht.")))
        return ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_error("invalid_type", _("Verwacht een tekst.")))
        return ""
    if "\x00" in value:
        errors.setdefault(name, []).append(
            _error("null_character", _("Een tekst mag geen NUL-teken bevatten."))
        )
        return ""
    limit = _TEXT_LIMITS.get(name)
    if limit and len(value) > limit:
        errors.setdefault(name, []).append(_error("too_long", _("Maximaal %(max)s tekens.") % {"max": limit}))
        return ""
    return value.strip()


def _integer(data, name, errors, *, minimum=0, maximum=10**9) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            value = None
    if not isinstance(value, int) or not minimum <= value <= maximum:
        errors.setdefault(name, []).append(
            _error(
                "invalid_integer",
                _("Verwacht een geheel getal van %(min)s tot %(max)s.") % {"min": minimum, "max": maximum},
            )
        )
        return None
    return value


def _boolean(data, name, errors) -> bool | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "ja", "nee"}:
        return value.lower() in {"true", "1", "ja"}
    errors.setdefault(name, []).append(_error("invalid_boolean", _("Verwacht true of false.")))
    return None


def _datetime(data, name, errors, zone) -> dt.datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        errors.setdefault(name, []).append(
            _error("invalid_datetime", _("Verwacht een tijdstip als 2026-03-14T09:30:00+01:00."))
        )
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    if not 1900 <= parsed.year <= 2200:
        errors.setdefault(name, []).append(
            _error("out_of_range", _("Dit tijdstip ligt niet tussen 1900 en 2200."))
        )
        return None
    return parsed.astimezone(dt.UTC)  # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows


def _date(data, name, errors) -> dt.date | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        parsed = dt.date.fromisoformat(value)
        if not 1900 <= parsed.year <= 2200:
            raise ValueError
        return parsed
    except ValueError:
        errors.setdefault(name, []).append(_error("invalid_date", _("Verwacht een datum als 2026-03-14.")))
        return None


def _decimal(data, name, errors, *, limit: int) -> Decimal | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or abs(number) > limit:
        errors.setdefault(name, []).append(_error("invalid_coordinate", _("Ongeldige coördinaat.")))
        return None
    return number


class Errors(dict):
    """Field name → list of ``{"code", "message"}``."""

    def add(self, name: str, code: str, message) -> None:
        self.setdefault(name, []).append(_error(code, message))


def _has_null(value) -> bool:
    """A NUL character anywhere in a line's keys or text (PostgreSQL cannot store it). Each line the
    readers could not clear (``Storable``) comes here, so the common case, a flat object of strings,
    takes no recursion and no generators."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        for key, item in value.items():
            if (isinstance(key, str) and "\x00" in key) or (
                "\x00" in item if isinstance(item, str) else isinstance(item, dict | list) and _has_null(item)
            ):
                return True
        return False
    if isinstance(value, list):
        for item in value:
            if "\x00" in item if isinstance(item, str) else isinstance(item, dict | list) and _has_null(item):
                return True
    return False


def _has_surrogate(value) -> bool:
    """A lone surrogate (JSON allows ``"\\ud800"``) cannot be encoded as UTF-8, so no database
    stores it: the batch writer would fail on it and take the other lines with it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _storable_check(data: dict) -> None:
    """Text no database stores (NUL; a lone surrogate, which UTF-8 cannot encode) is one clear error
    for the line instead of a failed batch."""
    if _has_null(data):
        raise LineError({"line": [_error("null_character", _("Een tekst mag geen NUL-teken bevatten."))]})
    if _has_surrogate(data):
        message = _("Een tekst bevat een ongeldig Unicode-teken (een losse surrogaat).")
        raise LineError({"line": [_error("invalid_unicode", message)]})


def line_validate(data: dict, context: Context, number: int = 1) -> CleanLine:
    """The cleaned line, or ``LineError`` with every problem of the line at once."""
    errors = Errors()
    if not isinstance(data, Storable):
        _storable_check(data)
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        errors.add("line", "unknown_field", _("Onbekende velden: %s") % ", ".join(unknown)[:200])
    external_id = _text(data, "external_id", errors, required=True)
    kind = _text(data, "kind", errors, required=True)
    if kind and kind not in context.kinds:
        errors.add(
            "kind", "invalid_choice", _("Onbekende soort; kies uit %s.") % ", ".join(sorted(context.kinds))
        )
        kind = ""
    municipality_id = _municipality(data.get("municipality"), context, errors)
    identifier, party_hash, party_name, party_language, establishment_unit = _party(
        data.get("party"), context, errors
    )
    fields = _facts(data, context, errors)
    language = data.get("language") or party_language or "nl"
    if not isinstance(language, str) or language not in context.languages:
        errors.add("language", "invalid_language", _("Taal: nl, fr, en of de."))
    fields["language"] = language
    amount = _integer(data, "amount_cents", errors, minimum=0, maximum=10**8)
    regulation = None
    code = data.get("regulation")
    if code not in (None, ""):
        regulation = context.regulations.get(code) if isinstance(code, str) else None
        if regulation is None or (kind and regulation.kind != kind):
            errors.add(
                "regulation", "unknown_regulation", _("Geen reglement met deze code voor deze soort dossier.")
            )
            regulation = None
    ogm = None
    if data.get("ogm") not in (None, ""):
        try:
            ogm = ogm_validate(str(data["ogm"]))
        except ValidationError as error:
            errors.add("ogm", "invalid_ogm", error.messages[0])
    target_status = (
        _kind_rules(kind, data.get("status"), fields, amount, regulation, errors) if kind else None
    )
    # Read before the errors are raised: a wrong timestamp is the line's error, not silently no time.
    notified_at = _datetime(data, "notified_at", errors, context.zone)
    issued_at = _datetime(data, "issued_at", errors, context.zone)
    if errors:
        raise LineError(dict(errors))
    return CleanLine(
        line=number,
        external_id=external_id,
        kind=kind,
        municipality_id=municipality_id,
        identifier=identifier,
        party_name=party_name,
        party_language=party_language or language,
        establishment_unit=establishment_unit,
        target_status=target_status,
        notified_at=notified_at,
        issued_at=issued_at,
        regulation=regulation,
        amount_cents=amount,
        ogm=ogm,
        fields=fields,
        given=frozenset(data),
        party_hash=party_hash,
    )


def _municipality(nis, context: Context, errors: Errors) -> int | None:
    if nis is None or nis == "":
        errors.add("municipality", "required", _("Dit veld is verplicht."))
        return None
    if not isinstance(nis, str):
        errors.add("municipality", "invalid_type", _("Verwacht een NIS-code als tekst."))
        return None
    municipality_id = context.municipalities.get(nis)
    if municipality_id is None:
        if context.nis_known(nis):
            errors.add(
                "municipality", "not_served", _("Uw organisatie behandelt geen dossiers van deze gemeente.")
            )
        else:
            errors.add(
                "municipality", "unknown_municipality", _("Onbekende gemeente (NIS-code %s).") % nis[:10]
            )
    return municipality_id


def _party(party, context: Context, errors: Errors):
    """The party: the holder of the plate at the time of the facts."""
    if not isinstance(party, dict):
        errors.add(
            "party", "required", _("Geef de partij: een object met national_number of enterprise_number.")
        )
        return None, "", "", "", ""
    unknown = sorted(set(party) - PARTY_FIELDS)
    if unknown:
        errors.add("party", "unknown_field", _("Onbekende velden: %s") % ", ".join(unknown)[:200])
    identifier = identifier_hash = None
    national, enterprise = party.get("national_number"), party.get("enterprise_number")
    try:
        if national and enterprise:
            raise ValidationError(_("Geef een rijksregisternummer of een ondernemingsnummer, niet beide."))
        if national:
            identifier, identifier_hash = context.identifier(parse_national_number, str(national))
        elif enterprise:
            identifier, identifier_hash = context.identifier(parse_enterprise_number, str(enterprise))
        else:
            raise ValidationError(_("Geef een rijksregisternummer of een ondernemingsnummer."))
    except ValidationError as error:
        errors.add("party", error.code or "invalid", error.messages[0])
    name = party.get("name")
    party_name = ""
    if isinstance(name, str) and name.strip():
        party_name = name.strip()[:200]
    elif name is not None:
        errors.add("party", "invalid_name", _("De naam moet een tekst zijn."))
    language = party.get("language") or ""
    if language and (not isinstance(language, str) or language not in context.languages):
        errors.add("party", "invalid_language", _("Taal: nl, fr, en of de."))
        language = ""
    return identifier, identifier_hash, party_name, language, str(party.get("establishment_unit") or "")[:10]


def _facts(data: dict, context: Context, errors: Errors) -> dict:
    fields: dict = {}
    for name in ("plate", "street", "house_number", "zone_code", "offence_code", "offence_description"):
        fields[name] = _text(data, name, errors)
    extra = data.get("extra_plates")
    if extra in (None, ""):
        fields["extra_plates"] = []
    elif (
        isinstance(extra, list)
        and len(extra) <= 20
        and all(isinstance(p, str) and len(p) <= 16 for p in extra)
    ):
        fields["extra_plates"] = [p.strip() for p in extra if p.strip()]
    else:
        errors.add("extra_plates", "invalid_list", _("Verwacht een lijst van hoogstens 20 nummerplaten."))
    for name in ("occurred_at", "valid_from", "valid_until"):
        fields[name] = _datetime(data, name, errors, context.zone)
    for name in ("pay_by", "contest_by"):
        fields[name] = _date(data, name, errors)
    fields["latitude"] = _decimal(data, "latitude", errors, limit=90)
    fields["longitude"] = _decimal(data, "longitude", errors, limit=180)
    fields["gas_category"] = _integer(data, "gas_category", errors, minimum=1, maximum=4)
    fields["speed_limit_kmh"] = _integer(data, "speed_limit_kmh", errors, minimum=5, maximum=200)
    fields["measured_speed_kmh"] = _integer(data, "measured_speed_kmh", errors, minimum=1, maximum=400)
    fields["built_up_area"] = _boolean(data, "built_up_area", errors)
    if fields["valid_from"] and fields["valid_until"] and fields["valid_until"] < fields["valid_from"]:
        errors.add("valid_until", "before_start", _("Het einde van de geldigheid ligt voor het begin."))
    return fields


def _start_status(policy, status, errors: Errors) -> str | None:
    """A new dossier starts in its kind's first status, or one step further (a letter already sent)."""
    if status in (None, "", policy.initial_status):
        return None
    if isinstance(status, str) and policy.event_for(policy.initial_status, status) is not None:
        return status
    allowed = sorted({t for (s, t) in policy.transitions if s == policy.initial_status})
    message = _("Een nieuw dossier van deze soort kan starten als %(statuses)s.") % {
        "statuses": ", ".join([policy.initial_status, *allowed])
    }
    errors.add("status", "invalid_status", message)
    return None


def _kind_rules(kind: str, status, fields: dict, amount, regulation, errors: Errors) -> str | None:
    """What this kind of dossier needs, and the status it may start in. Returns that status."""
    target_status = _start_status(policy_for(kind), status, errors)
    if kind in PERMIT_KINDS:
        if not fields["valid_from"]:
            errors.add("valid_from", "required", _("Een vergunning heeft een begin."))
        if not (fields.get("plate") or fields.get("extra_plates")):
            errors.add("plate", "required", _("Een vergunning geldt voor een nummerplaat."))
        if not (fields["zone_code"] or fields["street"]):
            errors.add("zone_code", "required", _("Geef de zone of de straat waar de vergunning geldt."))
        return target_status
    if not fields["occurred_at"]:
        errors.add("occurred_at", "required", _("Wanneer gebeurden de feiten?"))
    if kind == DossierKind.PARKING_RETRIBUTION:
        if not fields.get("plate"):
            errors.add("plate", "required", _("Dit veld is verplicht."))
        if amount is None and regulation is None:
            errors.add("amount_cents", "required", _("Geef het bedrag of het reglement dat het bepaalt."))
    return target_status


# -- writing -------------------------------------------------------------------------------------

_DOSSIER_COLUMNS = (
    "id",
    "kind",
    "status",
    "reference",
    "external_id",
    "municipality_id",
    "organisation_id",
    "party_id",
    "regulation_id",
    "language",
    "plate",
    "plate_normalised",
    "extra_plates",
    "street",
    "street_key",
    "house_number",
    "zone_code",
    "latitude",
    "longitude",
    "occurred_at",
    "valid_from",
    "valid_until",
    "offence_code",
    "offence_description",
    "gas_category",
    "speed_limit_kmh",
    "measured_speed_kmh",
    "built_up_area",
    "amount_original_cents",
    "costs_cents",
    "amount_paid_cents",
    "ogm",
    "pay_by",
    "contest_by",
    "created_at",
    "updated_at",
)
_ID, _REFERENCE, _PARTY, _OGM = (_DOSSIER_COLUMNS.index(c) for c in ("id", "reference", "party_id", "ogm"))
_PARTY_COLUMNS = (
    "id",
    "kind",
    "identifier_hash",
    "identifier_masked",
    "establishment_unit",
    "display_name",
    "language",
    "created_at",
    "email",
    "email_verified",
    "mail_new_dossier",
    "mail_updates",
    "mail_reminders",
    "mail_frequency",
)
_EVENT_COLUMNS = (
    "dossier_id",
    "kind",
    "status_from",
    "status_to",
    "occurred_at",
    "actor_label",
    "note",
    "data",
)


@dataclass(frozen=True)
class NewDossier:
    """What the import needs to know of a dossier it just wrote."""

    pk: int
    kind: str
    reference: str
    status: str
    party_id: int


@dataclass(frozen=True)
class PartyRef:
    pk: int
    announce: bool  # a registered and verified address to tell the citizen at


class Importer:
    """Feeds lines in batches; yields one ``LineResult`` per line, in order."""

    def __init__(
        self,
        *,
        organisation: Organisation,
        source: str,
        api_key=None,
        batch_size: int = 1000,
        actor_label: str = "",
    ):
        self.organisation = organisation
        self.context = Context(organisation)
        self.batch_size = batch_size
        self.actor_label = actor_label or str(organisation)
        self.writer = Writer()
        self.seen: dict[str, int] = {}
        # Streets and zones repeat across an import; their keys are computed once.
        self._street_keys: dict[str, str] = {}
        self._scratch = Dossier()
        self._zones: dict[str, str] = {}
        self.run = ImportRun.objects.create(organisation=organisation, source=source, api_key=api_key)

    def feed(self, lines: Iterable[tuple[int, dict | LineError]]) -> Iterator[LineResult]:
        with _collector_paused():
            yield from self._feed(lines)

    def _feed(self, lines: Iterable[tuple[int, dict | LineError]]) -> Iterator[LineResult]:
        batches = _chunked(lines, self.batch_size)
        if not self.pipelined:
            for batch in batches:
                results, clean = self._validate(batch)
                results.update(self._apply(clean))
                yield from self._ordered(batch, results)
            return
        # On PostgreSQL, outside a transaction: a writer thread with its own connection writes one
        # batch while this thread parses and validates the next, so Python and the database work at
        # the same time (docs/performance.md). Results still come out in line order.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") as writer:
            pending = None
            try:
                for batch in batches:
                    results, clean = self._validate(batch)
                    future = writer.submit(self._apply, clean)
                    if pending is not None:
                        yield from self._collect(*pending)
                    pending = (batch, results, future)
                if pending is not None:
                    yield from self._collect(*pending)
            finally:
                writer.submit(connections.close_all).result()

    @property
    def pipelined(self) -> bool:
        return (
            settings.API_BULK_PIPELINE
            and self.batch_size > 1
            and connection.vendor == "postgresql"
            and not connection.in_atomic_block
        )

    def _collect(self, batch, results, future) -> list[LineResult]:
        results.update(future.result())
        return self._ordered(batch, results)

    def finish(self) -> ImportRun:
        self.run.finished_at = timezone.now()
        self.run.save()
        logger.info(
            "import_finished run=%s organisation=%s lines=%s created=%s updated=%s failed=%s",
            self.run.pk,
            self.organisation.pk,
            self.run.lines,
            self.run.created,
            self.run.updated,
            self.run.failed,
        )
        return self.run

    def _apply(self, clean: list[CleanLine]) -> dict[int, LineResult]:
        """Write the valid lines of a batch in one transaction; on a conflict, line by line."""
        results: dict[int, LineResult] = {}
        if not clean:
            return results
        try:
            with transaction.atomic():
                results.update(self._write(clean))
        except IntegrityError:
            # A concurrent writer took a reference, an OGM or an external id: line by line.
            for line in clean:
                try:
                    with transaction.atomic():
                        results.update(self._write([line]))
                except IntegrityError:
                    message = _("Botsing met een gelijktijdige wijziging; stuur de regel opnieuw.")
                    results[line.line] = LineResult(
                        line.line, line.external_id, "error", errors={"line": [_error("conflict", message)]}
                    )
        return results

    def _ordered(self, batch, results: dict[int, LineResult]) -> list[LineResult]:
        ordered = [results[number] for number, _item in batch if number in results]
        self._count(ordered)
        return ordered

    def _validate(self, batch) -> tuple[dict[int, LineResult], list[CleanLine]]:
        now = timezone.now()
        results: dict[int, LineResult] = {}
        clean: list[CleanLine] = []
        for number, item in batch:
            if isinstance(item, LineError):
                results[number] = LineResult(number, None, "error", errors=item.errors)
                continue
            external_id = item.get("external_id") if isinstance(item.get("external_id"), str) else None
            try:
                line = line_validate(item, self.context, number)
            except LineError as error:
                results[number] = LineResult(number, external_id, "error", errors=error.errors)
                continue
            first = self.seen.get(line.external_id)
            if first is not None:
                message = _("Dit external_id kwam al voor op regel %(line)s van dezelfde import.") % {
                    "line": first
                }
                results[number] = LineResult(
                    number, line.external_id, "error", errors={"external_id": [_error("duplicate", message)]}
                )
                continue
            self.seen[line.external_id] = number
            line.prepared = self._prepare(line, now)
            clean.append(line)
        return results, clean

    def _count(self, results: list[LineResult]) -> None:
        run = self.run
        run.lines += len(results)
        for result in results:
            if result.status == "error":
                run.failed += 1
            else:
                setattr(run, result.status, getattr(run, result.status) + 1)

    def _write(self, lines: list[CleanLine]) -> dict[int, LineResult]:
        now = timezone.now()
        results: dict[int, LineResult] = {}
        parties = self._parties(lines)
        known = self.writer.existing(
            Dossier, "external_id", [line.external_id for line in lines], organisation_id=self.organisation.pk
        )
        existing = (
            {
                d.external_id: d
                for d in Dossier.objects.filter(organisation=self.organisation, external_id__in=known)
            }
            if known
            else {}
        )
        written: dict[int, Dossier | NewDossier] = {}  # line number → dossier created or changed
        for line in lines:
            dossier = existing.get(line.external_id)
            if dossier is None:
                continue
            outcome = self._update(dossier, line, parties[line.party_hash])
            if isinstance(outcome, LineResult):
                results[line.line] = outcome
                continue
            if outcome == "updated":
                written[line.line] = dossier
            results[line.line] = LineResult(
                line.line, line.external_id, outcome, dossier.reference, dossier.status
            )
        new_lines = [line for line in lines if line.external_id not in existing]
        for line, dossier in self._create(new_lines, parties, now):
            written[line.line] = dossier
            results[line.line] = LineResult(
                line.line, line.external_id, "created", dossier.reference, dossier.status
            )
        self._cross_check(written, results, now)
        return results

    def _cross_check(
        self, written: dict[int, Dossier | NewDossier], results: dict[int, LineResult], now
    ) -> None:
        # Permits first, so that a retribution in the same batch is checked against them too.
        permits = [d.pk for d in written.values() if d.kind in PERMIT_KINDS]
        retributions = [d.pk for d in written.values() if d.kind == DossierKind.PARKING_RETRIBUTION]
        runs = []
        if permits:
            permit_scope_rebuild(permit_ids=permits)
            runs.append(permit_cross_check(permit_ids=permits, at=now))
        if retributions:
            runs.append(permit_cross_check(dossier_ids=retributions, at=now))
        runs = [check.run for check in runs if check.cancelled]
        if runs:
            matched = set(PermitMatch.objects.filter(run__in=runs).values_list("dossier_id", flat=True))
            self.run.cancelled_by_permit += len(matched)
            for number, dossier in written.items():
                if dossier.pk in matched:
                    results[number].dossier_status = DossierStatus.CANCELLED_BY_PERMIT
        if retributions:
            # Then parking sessions (eloket.sessions): one indexed probe when no plate was parked by app.
            check = session_cross_check(dossier_ids=retributions, at=now)
            if check.cancelled:
                matched = set(SessionMatch.objects.filter(run=check.run).values_list("dossier_id", flat=True))
                self.run.cancelled_by_session += len(matched)
                for number, dossier in written.items():
                    if dossier.pk in matched:
                        results[number].dossier_status = DossierStatus.CANCELLED_BY_SESSION

    def _parties(self, lines: list[CleanLine]) -> dict[str, PartyRef]:
        """The party of each line by its identifier hash: found, or created (COPY on PostgreSQL)."""
        hashes = {line.party_hash: line for line in lines}
        found = {
            digest: PartyRef(pk, bool(email and verified))
            for digest, pk, email, verified in self.writer.select(
                Party, ("identifier_hash", "id", "email", "email_verified"), "identifier_hash", list(hashes)
            )
        }
        missing = [line for digest, line in hashes.items() if digest not in found]
        if missing:
            now = timezone.now()
            ids = self.writer.allocate_ids(Party, len(missing))
            rows = [
                (
                    pk,
                    line.identifier.kind,
                    line.party_hash,
                    line.identifier.masked,
                    line.establishment_unit,
                    line.party_name or line.identifier.masked,
                    line.party_language,
                    now,
                    "",
                    False,
                    True,
                    True,
                    True,
                    MailFrequency.AUTO,
                )
                for pk, line in zip(ids, missing, strict=True)
            ]
            self.writer.write((Party, _PARTY_COLUMNS, rows))
            found.update(
                {line.party_hash: PartyRef(pk, False) for pk, line in zip(ids, missing, strict=True)}
            )
        return found

    def _create(
        self, lines: list[CleanLine], parties: dict[str, PartyRef], now
    ) -> list[tuple[CleanLine, NewDossier]]:
        if not lines:
            return []
        references = [
            reference_new(kind=line.kind, year=(line.fields["occurred_at"] or now).year) for line in lines
        ]
        ogms = [line.ogm or ogm_random() for line in lines]
        # One query for both (a second round only in the rare case of a collision).
        taken = self.writer.select_either(Dossier, ("reference", references), ("ogm", ogms))
        references = self._unique_values(
            "reference",
            references,
            regenerate=reference_again,
            taken={reference for reference, _ogm in taken},
        )
        ogms = self._unique_values(
            "ogm",
            ogms,
            regenerate=lambda _value: ogm_random(),
            given=frozenset(line.ogm for line in lines if line.ogm),
            taken={ogm for _reference, ogm in taken},
        )
        ids = self.writer.allocate_ids(Dossier, len(lines))
        created: list[tuple[CleanLine, NewDossier]] = []
        rows: list[tuple] = []
        events: list[tuple] = []
        for line, pk, reference, ogm in zip(lines, ids, references, ogms, strict=True):
            prepared = line.prepared or self._prepare(line, now)
            party_id = parties[line.party_hash].pk
            row = prepared.row
            row[_ID], row[_REFERENCE], row[_PARTY], row[_OGM] = pk, reference, party_id, ogm
            rows.append(tuple(row))
            events.extend((pk, *event) for event in prepared.events)
            created.append((line, NewDossier(pk, line.kind, reference, prepared.status, party_id)))
        self.writer.write((Dossier, _DOSSIER_COLUMNS, rows), (TimelineEvent, _EVENT_COLUMNS, events))
        # Tell the citizen (eloket.mail) where there is an address to tell them at.
        announce = [
            OutboxEvent(
                type=EventType.DOSSIER_CREATED,
                organisation_id=self.organisation.pk,
                dossier_id=d.pk,
                party_id=d.party_id,
            )
            for line, d in created
            if parties[line.party_hash].announce
        ]
        if announce:
            OutboxEvent.objects.bulk_create(announce, batch_size=1000)
            outbox_poke_after_commit()
        return created

    def _prepare(self, line: CleanLine, now) -> Prepared:
        """Everything of a new dossier's row and events that needs no database: done while the
        previous batch is being written (``feed``). The id, reference, party and OGM come later."""
        fields = line.fields
        policy = policy_for(line.kind)
        scratch = self._scratch  # the policies' rules take a dossier; one instance serves every line
        scratch.kind = line.kind
        scratch.status = policy.initial_status
        scratch.regulation = line.regulation
        scratch.gas_category = fields["gas_category"]
        scratch.speed_limit_kmh = fields["speed_limit_kmh"]
        scratch.measured_speed_kmh = fields["measured_speed_kmh"]
        scratch.built_up_area = fields["built_up_area"]
        scratch.costs_cents = scratch.amount_paid_cents = 0
        scratch.pay_by, scratch.contest_by = fields["pay_by"], fields["contest_by"]
        computed = policy.compute_amount_cents(scratch)
        scratch.amount_original_cents = computed if computed is not None else (line.amount_cents or 0)
        issued_at = line.issued_at or fields["occurred_at"] or now
        events = [(TimelineEventKind.ISSUED, "", scratch.status, issued_at, self.actor_label, "", {})]
        if line.target_status:
            at = line.notified_at or now
            from_status = scratch.status
            policy.apply_entry(scratch, line.target_status, at.astimezone(self.context.zone).date())
            scratch.status = line.target_status
            event = policy.event_for(from_status, line.target_status)
            events.append((event, from_status, scratch.status, at, self.actor_label, "", {}))
        plate = fields["plate"]
        row = [
            None,  # id
            line.kind,
            scratch.status,
            None,  # reference
            line.external_id,
            line.municipality_id,
            self.organisation.pk,
            None,  # party
            line.regulation.pk if line.regulation else None,
            fields["language"],
            plate,
            plate_normalise(plate),
            fields["extra_plates"],
            fields["street"],
            self._street_key(fields["street"]),
            fields["house_number"],
            self._zone(fields["zone_code"]),
            fields["latitude"],
            fields["longitude"],
            fields["occurred_at"],
            fields["valid_from"],
            fields["valid_until"],
            fields["offence_code"],
            fields["offence_description"],
            fields["gas_category"],
            fields["speed_limit_kmh"],
            fields["measured_speed_kmh"],
            fields["built_up_area"],
            scratch.amount_original_cents,
            scratch.costs_cents,
            0,
            None,  # ogm
            scratch.pay_by,
            scratch.contest_by,
            now,
            now,
        ]
        return Prepared(row=row, events=events, status=scratch.status)

    def _street_key(self, street: str) -> str:
        key = self._street_keys.get(street)
        if key is None:
            key = self._street_keys[street] = street_key(street)
        return key

    def _zone(self, zone: str) -> str:
        normalised = self._zones.get(zone)
        if normalised is None:
            normalised = self._zones[zone] = zone_code_normalise(zone)
        return normalised

    def _unique_values(
        self, field_name: str, values: list[str], regenerate, given=frozenset(), taken: set | None = None
    ) -> list[str]:
        """Random references or OGMs that no dossier holds yet: at millions of dossiers, random
        values do collide now and then (an OGM has 10^10 values). A value the source system gave
        that is already taken is a conflict for that line (the line-by-line retry reports it)."""
        for attempt in range(5):
            if attempt or taken is None:
                taken = self.writer.existing(Dossier, field_name, values)
            taken = taken & set(values)
            if taken & given:
                raise IntegrityError(field_name)
            seen: set[str] = set()
            clash = set()
            for value in values:
                if value in seen:
                    clash.add(value)
                seen.add(value)
            clash = (clash | taken) - given
            if not clash:
                return values
            values = [regenerate(value) if value in clash else value for value in values]
        raise IntegrityError(field_name)

    def _update(self, dossier: Dossier, line: CleanLine, party: PartyRef) -> str | LineResult:
        if dossier.party_id != party.pk or dossier.kind != line.kind:
            return LineResult(
                line.line,
                line.external_id,
                "error",
                errors={
                    "external_id": [
                        _error(
                            "immutable",
                            _("Een bestaand dossier verandert niet van soort of partij; maak een nieuw aan."),
                        )
                    ]
                },
            )
        changed = []
        for name in UPDATABLE:
            if name not in line.given:
                continue
            value = line.fields.get(name)
            if name == "zone_code":
                value = zone_code_normalise(value)
            if getattr(dossier, name) != value:
                setattr(dossier, name, value)
                changed.append(name)
        amount = line.amount_cents
        if (
            amount is not None
            and amount != dossier.amount_original_cents
            and dossier.policy.compute_amount_cents(dossier) is None
        ):
            if dossier.amount_paid_cents:
                return LineResult(
                    line.line,
                    line.external_id,
                    "error",
                    errors={
                        "amount_cents": [
                            _error("already_paid", _("Er is al betaald; het bedrag verandert niet meer."))
                        ]
                    },
                )
            dossier.amount_original_cents = amount
            changed.append("amount_original_cents")
        if not changed:
            return "unchanged"
        dossier.plate_normalised = plate_normalise(dossier.plate)
        dossier.street_key = street_key(dossier.street)
        dossier.save(update_fields=[*changed, "plate_normalised", "street_key", "updated_at"])
        return "updated"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import runs (at most ``API_BULK_MAX_LINES`` lines).

    An import makes a few objects per line and keeps some (the external ids seen, the parties found,
    the results in hand): Python's collector, started every 700 allocations, walked them again and
    again, a fifth of the import's CPU (measured, docs/performance.md). Memory is freed by reference
    counting as before; whatever cycles the import leaves are collected when it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def reference_again(reference: str) -> str:
    """Another random reference of the same kind and year."""
    prefix, year, _body = reference.split("-")
    kind = next(kind for kind, p in REFERENCE_PREFIX.items() if p == prefix)
    return reference_new(kind=kind, year=2000 + int(year))


def dossier_upsert(*, organisation: Organisation, data: dict, api_key=None) -> LineResult:
    """One dossier by its external id: created, updated or unchanged (idempotent)."""
    importer = Importer(organisation=organisation, source=ImportRun.Source.API, api_key=api_key, batch_size=1)
    [result] = list(importer.feed([(1, data)]))
    importer.finish()
    return result
