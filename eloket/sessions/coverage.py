"""The rights check of an enforcement system (a scan car, before it issues): does a permit or a paid
session cover this plate here, now? Answered for many plates at once, with the reason.

Permits as ``eloket.permits.permit_covering`` finds them (``PermitScope``); sessions by the rules of
``eloket.sessions``: the areas of the place (its zone code, or an area that lists its street), the
plate normalised, and the session widened by the grace minutes of the area organisation's retribution
regulation valid that day (``grace_minutes_for``). A permit answers first.

One query whatever the number of plates, because a scan car asks this for every car it passes
(docs/performance.md): the areas of the place with their grace, the permit scopes and the sessions,
as three branches of one ``UNION ALL``. The sessions are one bounded range on the plate index
``(municipality, plate_normalised, start_at)``: ``start_at`` between ``at - 7 days - the longest
grace`` and ``at + the longest grace`` (no session lasts longer than ``MAX_DURATION``, no grace is
longer than ``SESSION_GRACE_MAX_MINUTES``); each row is then held to its own area's grace here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from eloket.constants import SESSION_GRACE_MAX_MINUTES, DossierKind
from eloket.models import Dossier, Organisation
from eloket.models.parking import ParkingSession
from eloket.places import street_key, zone_code_normalise
from eloket.plates import plate_normalise
from eloket.sessions.validate import MAX_DURATION

GRACE_MAX = dt.timedelta(minutes=SESSION_GRACE_MAX_MINUTES)


@dataclass(frozen=True)
class Right:
    plate: str  # as asked
    covered: bool
    reason: str | None  # "permit" | "session" | None
    permit: Dossier | None
    session: ParkingSession | None
    grace_minutes: int


def rights_check(
    *, municipality_id: int, plates: list[str], at: dt.datetime, zone_code: str = "", street: str = ""
) -> list[Right]:
    """One ``Right`` per plate asked, in the order asked (a plate asked twice is answered twice)."""
    zone, key = zone_code_normalise(zone_code), street_key(street)
    normalised = {plate: plate_normalise(plate) for plate in plates}
    wanted = sorted(set(normalised.values()) - {""})
    graces: dict[int, int] = {}
    permits: dict[str, Dossier] = {}
    sessions: dict[str, ParkingSession] = {}
    if zone or key:
        graces, permits, sessions = _place_rights(municipality_id, wanted, at, zone, key)
    # Without a covering session, the grace that would apply here (the place's first area).
    place_grace = graces[min(graces)] if graces else 0
    rights = []
    for plate in plates:
        value = normalised[plate]
        permit, session = permits.get(value), sessions.get(value)
        reason = "permit" if permit is not None else "session" if session is not None else None
        rights.append(
            Right(
                plate=plate,
                covered=reason is not None,
                reason=reason,
                permit=permit,
                session=session if permit is None else None,
                grace_minutes=graces[session.area_id] if session is not None else place_grace,
            )
        )
    return rights


# The areas of the place and the grace of each: the retribution regulation of the area's organisation
# valid that day, one for this municipality before one for all its municipalities, the latest version
# first; 0 without one. ``grace_minutes_for`` is the same rule for one organisation (a test holds
# the two to each other).
_PLACE_AREAS = """
WITH place_areas AS (
  SELECT a.id AS id, COALESCE((
    SELECT r.session_grace_minutes FROM eloket_regulation r
    WHERE r.organisation_id = a.organisation_id AND r.kind = %s
      AND (r.municipality_id = %s OR r.municipality_id IS NULL)
      AND r.valid_from <= %s AND (r.valid_until IS NULL OR r.valid_until >= %s)
    ORDER BY r.municipality_id IS NULL, r.valid_from DESC, r.id DESC
    LIMIT 1
  ), 0) AS grace
  FROM eloket_parkingarea a
  WHERE a.municipality_id = %s AND a.active AND ({place})
)
"""
# The branches of the UNION, sessions first: their columns are all typed, so that PostgreSQL types
# the NULLs of the branches after them by theirs.
_SESSIONS = """
SELECT 'session', s.id, pa.grace, s.plate_normalised, s.provider_session_id, s.area_code, s.start_at,
  s.end_at, s.area_id, s.provider_id, o.name_nl, o.name_fr, o.name_en, o.name_de, s.amount_paid_cents
FROM eloket_parkingsession s
JOIN place_areas pa ON pa.id = s.area_id
JOIN eloket_organisation o ON o.id = s.provider_id
WHERE s.municipality_id = %s AND s.plate_normalised IN ({plates})
  AND s.start_at >= %s AND s.start_at <= %s AND (s.end_at IS NULL OR s.end_at >= %s)
"""
_PERMITS = """
SELECT 'permit', ps.permit_id, NULL, ps.plate_normalised, d.reference, d.kind, d.valid_from,
  d.valid_until, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM eloket_permitscope ps JOIN eloket_dossier d ON d.id = ps.permit_id
WHERE ps.municipality_id = %s AND ps.plate_normalised IN ({plates}) AND ({place})
  AND (ps.valid_from IS NULL OR ps.valid_from <= %s) AND (ps.valid_until IS NULL OR ps.valid_until >= %s)
"""
_AREAS = """
SELECT 'area', id, grace, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM place_areas
"""


def _place_rights(municipality_id: int, plates: list[str], at, zone: str, key: str):
    """``({area id: grace}, {plate: permit}, {plate: session})`` for the place, in one query."""
    ops = connection.ops
    day = ops.adapt_datefield_value(timezone.localtime(at).date())  # the regulation of that day, in Belgium
    moment = ops.adapt_datetimefield_value(at)
    area_place, area_params = _place("a.code", key_sql=_AREA_STREET, zone=zone, key=key)
    branches = []
    params: list = [DossierKind.PARKING_RETRIBUTION, municipality_id, day, day, municipality_id, *area_params]
    if plates:
        marks = ", ".join(["%s"] * len(plates))
        branches.append(_SESSIONS.format(plates=marks))
        params += [
            municipality_id,
            *plates,
            ops.adapt_datetimefield_value(at - MAX_DURATION - GRACE_MAX),
            ops.adapt_datetimefield_value(at + GRACE_MAX),
            ops.adapt_datetimefield_value(at - GRACE_MAX),
        ]
        scope_place, scope_params = _place("ps.zone_code", key_sql="ps.street_key = %s", zone=zone, key=key)
        branches.append(_PERMITS.format(plates=marks, place=scope_place))
        params += [municipality_id, *plates, *scope_params, moment, moment]
    branches.append(_AREAS)
    sql = _PLACE_AREAS.format(place=area_place) + "UNION ALL".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    graces = {row[1]: row[2] for row in rows if row[0] == "area"}
    return graces, _permits_found(rows), _sessions_found(rows, at)


_AREA_STREET = (
    "EXISTS (SELECT 1 FROM eloket_parkingareastreet st WHERE st.area_id = a.id AND st.street_key = %s)"
)


def _place(zone_sql: str, *, key_sql: str, zone: str, key: str) -> tuple[str, list]:
    """The place as SQL: by its zone code, or by its street, or by either."""
    parts, params = [], []
    if zone:
        parts.append(f"{zone_sql} = %s")
        params.append(zone)
    if key:
        parts.append(key_sql)
        params.append(key)
    return " OR ".join(parts), params


def _permits_found(rows) -> dict[str, Dossier]:
    """The permit of each plate (the lowest id when several cover it), as far as the answer shows it."""
    found: dict[str, Dossier] = {}
    for row in sorted((row for row in rows if row[0] == "permit"), key=lambda row: (row[3], row[1])):
        _kind, permit_id, _grace, plate, reference, kind, valid_from, valid_until = row[:8]
        found.setdefault(
            plate,
            _loaded(
                Dossier,
                id=permit_id,
                reference=reference,
                kind=kind,
                valid_from=_datetime(valid_from),
                valid_until=_datetime(valid_until),
            ),
        )
    return found


def _sessions_found(rows, at) -> dict[str, ParkingSession]:
    """Per plate the latest session that covers ``at`` within its own area's grace."""
    found: dict[str, ParkingSession] = {}
    sessions = (row for row in rows if row[0] == "session")
    for row in sorted(sessions, key=lambda row: (row[3], -_datetime(row[6]).timestamp(), row[1])):
        session_id, grace, plate, provider_session_id, area_code, start, end, area_id, provider_id = row[1:10]
        start, end, widen = _datetime(start), _datetime(end), dt.timedelta(minutes=grace)
        if plate in found or start - widen > at or (end is not None and at > end + widen):
            continue
        session = _loaded(
            ParkingSession,
            id=session_id,
            plate_normalised=plate,
            provider_session_id=provider_session_id,
            area_code=area_code,
            start_at=start,
            end_at=end,
            area_id=area_id,
            provider_id=provider_id,
            amount_paid_cents=row[14],
        )
        names = dict(zip(("name_nl", "name_fr", "name_en", "name_de"), row[10:14], strict=True))
        session.provider = _loaded(Organisation, id=provider_id, **names)
        found[plate] = session
    return found


def _loaded(model, **values):
    """An instance of ``model`` as the database gave it (``Model.from_db``), the fields not read
    deferred: read on access, as with ``only()``."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _datetime(value):
    """A timestamp as the database gave it, as Django's field would (SQLite returns text)."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    return convert(value, None, connection) if convert is not None and value is not None else value
