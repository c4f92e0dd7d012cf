"""The CSV import of parking areas (``manage.py import_parking_areas FILE``), for a city clerk.

Columns (a header line first; comma- or semicolon-separated, as the header is; UTF-8, with or
without the BOM a spreadsheet writes):

``municipality`` (NIS code), ``code``, ``name_nl``, ``name_fr``, ``name_en``, ``name_de``,
``tariff_zone``, ``streets`` (``;``-separated), ``neighbours`` (``;``-separated area codes of the same
municipality, in the file or already known), ``organisation`` (slug; optional), ``polygon`` (GeoJSON
text; optional). Only ``municipality``, ``code`` and ``name_nl`` are required.

An empty ``organisation`` keeps an existing area's organisation; a new area gets the one
organisation that collects parking retributions in the municipality (a retribution regulation for
it), and when there are none or several the line is an error that asks for the column.

Upsert by (municipality, code): a second run of the same file changes nothing. Neighbours are
symmetrical: an area's neighbours become the codes on its line and the lines that name it. All or
nothing: the file is checked completely, every error is reported with its line and column, and
nothing is written when there is one (``dry_run`` checks and counts, and writes nothing either).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eloket.constants import OrganisationKind
from eloket.models import Municipality, Organisation
from eloket.models.parking import ParkingArea
from eloket.places import zone_code_normalise
from eloket.sessions.areas import parking_area_save, polygon_validate, retribution_organisations

logger = logging.getLogger(__name__)

COLUMNS = (
    "municipality", "code", "name_nl", "name_fr", "name_en", "name_de", "tariff_zone", "streets",
    "neighbours", "organisation", "polygon",
)  # fmt: skip
REQUIRED = ("municipality", "code", "name_nl")
NAMES = ("name_nl", "name_fr", "name_en", "name_de")


@dataclass(frozen=True)
class AreaImportError:
    line: int  # 1 is the header
    field: str  # the column, or "file" / "header"
    message: str

    def __str__(self) -> str:
        return _("regel %(line)s, kolom %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[AreaImportError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    municipality: Municipality
    code: str
    values: dict
    organisation: Organisation | None
    streets: list[str]
    neighbours: list[str]


class _Rollback(Exception):
    pass


def areas_import(*, file, dry_run: bool = False) -> AreaImportResult:
    """Check the whole file, then write it in one transaction; see the module docstring."""
    result = AreaImportResult(dry_run=dry_run)
    text = _decode(file, result)
    rows = _parse(text, result) if text is not None else []
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _write(rows, result)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        if result.errors:
            result.created = result.updated = result.unchanged = 0
    logger.info(
        "parking_areas_imported created=%s updated=%s unchanged=%s errors=%s dry_run=%s",
        result.created,
        result.updated,
        result.unchanged,
        len(result.errors),
        dry_run,
    )
    return result


def _decode(file, result: AreaImportResult) -> str | None:
    content = file.read()
    if isinstance(content, bytes):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.errors.append(
                AreaImportError(0, "file", _("Het bestand is geen UTF-8-tekst; bewaar het als CSV UTF-8."))
            )
            return None
    return content.removeprefix("\ufeff")


def _parse(text: str, result: AreaImportResult) -> list[_Row]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing:
        result.errors.append(
            AreaImportError(
                1, "header", _("Ontbrekende kolommen: %(names)s.") % {"names": ", ".join(missing)}
            )
        )
    if unknown:
        result.errors.append(
            AreaImportError(1, "header", _("Onbekende kolommen: %(names)s.") % {"names": ", ".join(unknown)})
        )
    if missing or unknown:
        return []
    reader.fieldnames = header
    lookups = _Lookups()
    rows: list[_Row] = []
    seen: dict[tuple[int, str], int] = {}
    declared: set[tuple[int, str]] = set()
    try:
        for record in reader:
            line = reader.line_num
            if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
                continue
            municipality = lookups.municipalities.get(_cell(record, "municipality"))
            if municipality is not None and _cell(record, "code"):  # named, even on a wrong line
                declared.add((municipality.pk, zone_code_normalise(_cell(record, "code"))))
            row = _row(line, record, lookups, result)
            if row is None:
                continue
            key = (row.municipality.pk, row.code)
            if key in seen:
                result.errors.append(
                    AreaImportError(
                        line,
                        "code",
                        _("Zone %(code)s staat al op regel %(other)s van dit bestand.")
                        % {"code": row.code, "other": seen[key]},
                    )
                )
                continue
            seen[key] = line
            rows.append(row)
    except csv.Error as error:
        result.errors.append(
            AreaImportError(reader.line_num, "file", _("Onleesbare regel: %(error)s") % {"error": error})
        )
    _neighbours_check(rows, declared, result)
    return rows


class _Lookups:
    def __init__(self):
        self.municipalities = {m.nis_code: m for m in Municipality.objects.all()}
        self.organisations: dict[str, Organisation | None] = {}
        self.defaults: dict[int, list[Organisation]] = {}

    def organisation(self, slug: str) -> Organisation | None:
        if slug not in self.organisations:
            self.organisations[slug] = Organisation.objects.filter(slug=slug).first()
        return self.organisations[slug]

    def default(self, municipality: Municipality) -> list[Organisation]:
        if municipality.pk not in self.defaults:
            found = retribution_organisations(municipality_id=municipality.pk).order_by("slug")
            self.defaults[municipality.pk] = list(found[:3])
        return self.defaults[municipality.pk]


def _cell(record: dict, name: str) -> str:
    value = record.get(name)
    return value.strip() if isinstance(value, str) else ""


def _row(line: int, record: dict, lookups: _Lookups, result: AreaImportResult) -> _Row | None:
    errors = []

    def error(column: str, message: str) -> None:
        errors.append(AreaImportError(line, column, message))

    if None in record:  # more cells than columns
        error("file", _("Deze regel heeft meer cellen dan er kolommen zijn."))
    for name in REQUIRED:
        if not _cell(record, name):
            error(name, _("Dit veld is verplicht."))
    nis = _cell(record, "municipality")
    municipality = lookups.municipalities.get(nis)
    if nis and municipality is None:
        error(
            "municipality", _("Onbekende gemeente: geen gemeente met NIS-code %(nis)s.") % {"nis": nis[:10]}
        )
    code = zone_code_normalise(_cell(record, "code"))
    values = {name: _cell(record, name) for name in (*NAMES, "tariff_zone")}
    polygon = _polygon(_cell(record, "polygon"), error)
    values["polygon"] = polygon
    organisation = None
    if municipality is not None:
        organisation = _organisation(_cell(record, "organisation"), municipality, code, lookups, error)
    result.errors.extend(errors)
    if errors:
        return None
    return _Row(
        line=line,
        municipality=municipality,
        code=code,
        values=values,
        organisation=organisation,
        streets=_split(_cell(record, "streets")),
        neighbours=[n for n in map(zone_code_normalise, _split(_cell(record, "neighbours"))) if n != code],
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _polygon(text: str, error):
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        error("polygon", _("Geen geldige GeoJSON: de tekst is geen JSON."))
        return None
    try:
        polygon_validate(value)
    except ValidationError as invalid:
        error("polygon", invalid.message_dict["polygon"][0])
        return None
    return value


def _organisation(slug: str, municipality, code: str, lookups: _Lookups, error) -> Organisation | None:
    """The named organisation; without a name, the existing area's (None here) or the default."""
    if slug:
        organisation = lookups.organisation(slug)
        if organisation is None:
            error("organisation", _("Onbekende organisatie: %(slug)s.") % {"slug": slug[:50]})
        elif organisation.kind == OrganisationKind.PARKING_PROVIDER:
            error("organisation", _("Een aanbieder van mobiel parkeren beheert geen parkeerzones."))
        elif not organisation.municipalities.filter(pk=municipality.pk).exists():
            error(
                "organisation",
                _("%(organisation)s bedient de gemeente %(municipality)s niet.")
                % {"organisation": organisation.name_nl, "municipality": municipality.name_nl},
            )
        else:
            return organisation
        return None
    if code and ParkingArea.objects.filter(municipality=municipality, code=code).exists():
        return None  # keeps its organisation
    candidates = lookups.default(municipality)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        error(
            "organisation",
            _("Geen organisatie int parkeerretributies in %(municipality)s; vul de kolom organisation in.")
            % {"municipality": municipality.name_nl},
        )
    else:
        error(
            "organisation",
            _("Meerdere organisaties innen parkeerretributies in %(municipality)s (%(slugs)s); vul de kolom "
              "organisation in.")
            % {"municipality": municipality.name_nl, "slugs": ", ".join(o.slug for o in candidates)},
        )  # fmt: skip
    return None


def _neighbours_check(rows: list[_Row], in_file: set[tuple[int, str]], result: AreaImportResult) -> None:
    wanted = {(row.municipality.pk, code) for row in rows for code in row.neighbours}
    stored = set(
        ParkingArea.objects.filter(
            municipality_id__in={pk for pk, _code in wanted}, code__in={code for _pk, code in wanted}
        ).values_list("municipality_id", "code")
    )
    for row in rows:
        unknown = [code for code in row.neighbours if (row.municipality.pk, code) not in in_file | stored]
        if unknown:
            message = _(
                "Onbekende aangrenzende zone in %(municipality)s: %(codes)s (niet in dit bestand en "
                "niet gekend)."
            ) % {"municipality": row.municipality.name_nl, "codes": ", ".join(unknown)}
            result.errors.append(AreaImportError(row.line, "neighbours", message))


def _snapshot(area: ParkingArea) -> tuple:
    return (
        area.organisation_id,
        *(getattr(area, name) for name in NAMES),
        area.tariff_zone,
        list(area.streets),
        area.polygon,
        area.active,
        sorted(area.neighbours.values_list("code", flat=True)),
    )


def _write(rows: list[_Row], result: AreaImportResult) -> None:
    existing = {
        (area.municipality_id, area.code): area
        for area in ParkingArea.objects.filter(
            municipality_id__in={row.municipality.pk for row in rows}, code__in={row.code for row in rows}
        ).select_related("organisation")
    }
    before = {key: _snapshot(area) for key, area in existing.items()}
    saved: dict[tuple[int, str], ParkingArea] = {}
    for row in rows:
        key = (row.municipality.pk, row.code)
        area = existing.get(key) or ParkingArea(municipality=row.municipality, code=row.code)
        for name, value in row.values.items():
            setattr(area, name, value)
        if row.organisation is not None:
            area.organisation = row.organisation
        area.active = True
        saved[key] = _save(row, area, result, streets=row.streets)
    if result.errors:
        return
    named_by = _named_by(rows)
    for row in rows:
        key = (row.municipality.pk, row.code)
        codes = sorted(set(row.neighbours) | named_by.get(key, set()))
        _save(row, saved[key], result, neighbour_codes=codes)
    for key, area in saved.items():
        if key not in before:
            result.created += 1
        elif _snapshot(area) != before[key]:
            result.updated += 1
        else:
            result.unchanged += 1


def _named_by(rows: list[_Row]) -> dict[tuple[int, str], set[str]]:
    """Per area of the file, the codes of the other lines that name it as a neighbour."""
    named: dict[tuple[int, str], set[str]] = {}
    for row in rows:
        for code in row.neighbours:
            named.setdefault((row.municipality.pk, code), set()).add(row.code)
    return named


def _save(row: _Row, area: ParkingArea, result: AreaImportResult, **changes) -> ParkingArea:
    try:
        return parking_area_save(area=area, **changes)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = name if name in COLUMNS else "code" if name == "__all__" else name
            result.errors.extend(AreaImportError(row.line, column, message) for message in messages)
        return area
