"""Permits reused by the back office: nobody pays a parking retribution for a vehicle that held a valid
resident, employee or IOD permit of the same municipality for that place and time.

- ``permit_scope_rebuild`` keeps ``PermitScope`` (one row per plate × place of a permit that covers)
  in step with the permit dossiers; it runs whenever a permit is written.
- ``permit_cross_check`` is set-based SQL: one ``INSERT … SELECT`` finds every open retribution in
  scope that a permit covers, then three statements cancel them, append their timeline events and
  write their outbox events (``dossier.cancelled_by_permit``), all in one transaction. It runs at
  import (scoped to the dossiers just written), when a permit arrives or changes (scoped to that
  permit: retroactive, for retributions not yet paid or closed) and in full from the bench.
- ``permit_covering`` answers the rights check of an enforcement system.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.models import Dossier, PermitScope
from eloket.models.integrations import EventType
from eloket.outbox import outbox_emit_sql, outbox_json_cast, outbox_poke_after_commit
from eloket.places import street_key, zone_code_normalise
from eloket.plates import plate_normalise
from eloket.policies import policy_for

logger = logging.getLogger(__name__)

PERMIT_KINDS = (DossierKind.RESIDENT_PERMIT, DossierKind.EMPLOYEE_PERMIT, DossierKind.IOD_PERMIT)
# A permit covers the time it was valid, also after it expired; a revoked or requested one does not.
COVERING_STATUSES = (DossierStatus.ACTIVE, DossierStatus.EXPIRED)
ACTOR_LABEL = "Automatische controle van vergunningen"


def cancellable_statuses() -> tuple[str, ...]:
    """Retribution statuses from which a permit may cancel: not yet paid or closed (the policy)."""
    policy = policy_for(DossierKind.PARKING_RETRIBUTION)
    return tuple(
        sorted(
            status for (status, target) in policy.transitions if target == DossierStatus.CANCELLED_BY_PERMIT
        )
    )


def permit_scope_rows(permit: Dossier) -> list[PermitScope]:
    if permit.kind not in PERMIT_KINDS or permit.status not in COVERING_STATUSES:
        return []
    plates = {plate_normalise(p) for p in [permit.plate, *(permit.extra_plates or [])] if p}
    plates.discard("")
    places = []
    zone = zone_code_normalise(permit.zone_code)
    if zone:
        places.append((zone, ""))
    key = permit.street_key or street_key(permit.street)
    if key:
        places.append(("", key))
    return [
        PermitScope(
            permit_id=permit.pk,
            municipality_id=permit.municipality_id,
            plate_normalised=plate,
            zone_code=zone_code,
            street_key=street,
            valid_from=permit.valid_from,
            valid_until=permit.valid_until,
        )
        for plate in sorted(plates)
        for zone_code, street in places
    ]


def permit_scope_rebuild(*, permit_ids: Iterable[int]) -> int:
    """Replace the scope rows of these permits with what they cover now. Returns the rows written."""
    permit_ids = list(permit_ids)
    rows: list[PermitScope] = []
    with transaction.atomic():
        PermitScope.objects.filter(permit_id__in=permit_ids).delete()
        permits = Dossier.objects.filter(pk__in=permit_ids, kind__in=PERMIT_KINDS).only(
            "id",
            "kind",
            "status",
            "municipality_id",
            "plate",
            "extra_plates",
            "zone_code",
            "street",
            "street_key",
            "valid_from",
            "valid_until",
        )
        for permit in permits.iterator(chunk_size=2000):
            rows.extend(permit_scope_rows(permit))
        PermitScope.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class CrossCheckResult:
    run: str
    cancelled: int


def permit_cross_check(
    *,
    dossier_ids: Iterable[int] | None = None,
    permit_ids: Iterable[int] | None = None,
    at: dt.datetime | None = None,
) -> CrossCheckResult:
    """Cancel every open parking retribution in scope that a covering permit covers.

    Scope: the given retributions, or the retributions the given permits cover, or (neither given)
    all of them. Idempotent: a retribution once cancelled is no longer open, so a second run finds
    nothing. Call inside or outside a transaction; the work is one transaction of its own (a savepoint
    when nested).
    """
    at = at or timezone.now()
    run = secrets.token_hex(8)
    params: list = []
    where = [
        "d.kind = %s",
        f"d.status IN ({', '.join(['%s'] * len(cancellable_statuses()))})",
        "d.occurred_at IS NOT NULL",
        "(s.valid_from IS NULL OR s.valid_from <= d.occurred_at)",
        "(s.valid_until IS NULL OR d.occurred_at <= s.valid_until)",
        "((s.zone_code <> '' AND s.zone_code = d.zone_code)"
        " OR (s.street_key <> '' AND s.street_key = d.street_key))",
    ]
    params += [DossierKind.PARKING_RETRIBUTION, *cancellable_statuses()]
    if dossier_ids is not None:
        dossier_ids = _with_scope(list(dossier_ids))
        if not dossier_ids:
            return CrossCheckResult(run=run, cancelled=0)
        where.append(_in_list("d.id", dossier_ids, params))
    if permit_ids is not None:
        permit_ids = list(permit_ids)
        if not permit_ids:
            return CrossCheckResult(run=run, cancelled=0)
        where.append(_in_list("s.permit_id", permit_ids, params))
    find = f"""
        INSERT INTO eloket_permitmatch (dossier_id, permit_id, status_from, matched_at, run)
        SELECT d.id, MIN(s.permit_id), d.status, %s, %s
        FROM eloket_dossier d
        JOIN eloket_permitscope s
          ON s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
        WHERE {" AND ".join(where)}
        GROUP BY d.id, d.status
    """  # noqa: S608 (only placeholders are interpolated)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cancelled = _cancel_postgresql(cursor, " AND ".join(where), params, at=at, run=run)
        else:
            cancelled = _cancel_in_steps(cursor, find, [at, run, *params], at=at, run=run)
        if cancelled <= 0:
            return CrossCheckResult(run=run, cancelled=0)
        outbox_poke_after_commit()
    logger.info("permit_cross_check run=%s cancelled=%s", run, cancelled)
    return CrossCheckResult(run=run, cancelled=cancelled)


def _with_scope(dossier_ids: list[int]) -> list[int]:
    """Those of the dossiers whose plate has a permit scope row in their municipality at all.

    Most retributions have none, so an import batch's check usually ends here, after one probe of the
    scope index per dossier. It also keeps the full check's plan right: fed thousands of ids of rows
    the table's statistics do not know yet (a large import), PostgreSQL preferred scanning every open
    dossier by status to looking up the ids (2 s instead of 10 ms a batch, docs/performance.md)."""
    if not dossier_ids:
        return []
    params: list = []
    ids = _in_list("d.id", dossier_ids, params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.id FROM eloket_dossier d
            WHERE {ids} AND EXISTS (
                SELECT 1 FROM eloket_permitscope s
                WHERE s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
            )
            """,  # noqa: S608 (only placeholders are interpolated)
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def _in_list(column: str, values: list[int], params: list) -> str:
    """``column IN (…)``: one array parameter on PostgreSQL (a batch has thousands), a list on SQLite."""
    if connection.vendor == "postgresql":
        params.append(values)
        return f"{column} = ANY(%s)"
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


# The timeline event's and the outbox event's data, as JSON text: {"permit": …, "permit_kind": …}.
REASON = '\'{"permit": "\' || p.reference || \'", "permit_kind": "\' || p.kind || \'"}\''
_MATCHED = ("SELECT d.id AS dossier_id, MIN(s.permit_id) AS permit_id, d.status AS status_from,"
            " d.organisation_id, d.party_id")  # fmt: skip
_JOIN = """
    FROM eloket_dossier d
    JOIN eloket_permitscope s
      ON s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
"""


def _cancel_postgresql(cursor, where: str, params: list, *, at, run: str) -> int:
    """One statement: writable CTEs find the matches once and write all four tables from them."""
    event_columns, event_leading = outbox_emit_sql(type=EventType.DOSSIER_CANCELLED_BY_PERMIT)
    reason = outbox_json_cast(REASON)
    cursor.execute(
        f"""
        WITH found AS MATERIALIZED ({_MATCHED} {_JOIN} WHERE {where} GROUP BY d.id),
        reasons AS MATERIALIZED (
            SELECT f.*, {reason} AS reason FROM found f JOIN eloket_dossier p ON p.id = f.permit_id
        ),
        matched AS (
            INSERT INTO eloket_permitmatch (dossier_id, permit_id, status_from, matched_at, run)
            SELECT dossier_id, permit_id, status_from, %s, %s FROM found
        ),
        cancelled AS (
            UPDATE eloket_dossier d SET status = %s, updated_at = %s FROM found f WHERE d.id = f.dossier_id
        ),
        timeline AS (
            INSERT INTO eloket_timelineevent
                (dossier_id, kind, status_from, status_to, occurred_at, actor_label, note, data)
            SELECT dossier_id, %s, status_from, %s, %s, %s, '', reason FROM reasons
        )
        INSERT INTO eloket_outboxevent ({event_columns})
        SELECT {event_leading}, organisation_id, dossier_id, party_id, reason FROM reasons
        """,  # noqa: S608 (only placeholders and fixed SQL are interpolated)
        [
            *params,
            at,
            run,
            DossierStatus.CANCELLED_BY_PERMIT,
            at,
            TimelineEventKind.CANCELLED_BY_PERMIT,
            DossierStatus.CANCELLED_BY_PERMIT,
            at,
            ACTOR_LABEL,
            EventType.DOSSIER_CANCELLED_BY_PERMIT,
            at,
        ],
    )
    return cursor.rowcount


def _cancel_in_steps(cursor, find: str, params: list, *, at, run: str) -> int:
    """SQLite has no writable CTEs: the matches go to PermitMatch first, the rest is written from there."""
    cursor.execute(find, params)
    cancelled = cursor.rowcount
    if cancelled <= 0:
        return 0
    cursor.execute(
        """
        UPDATE eloket_dossier SET status = %s, updated_at = %s
        WHERE id IN (SELECT dossier_id FROM eloket_permitmatch WHERE run = %s)
        """,
        [DossierStatus.CANCELLED_BY_PERMIT, at, run],
    )
    cursor.execute(
        f"""
        INSERT INTO eloket_timelineevent
            (dossier_id, kind, status_from, status_to, occurred_at, actor_label, note, data)
        SELECT m.dossier_id, %s, m.status_from, %s, %s, %s, '', {REASON}
        FROM eloket_permitmatch m JOIN eloket_dossier p ON p.id = m.permit_id
        WHERE m.run = %s
        """,  # noqa: S608
        [TimelineEventKind.CANCELLED_BY_PERMIT, DossierStatus.CANCELLED_BY_PERMIT, at, ACTOR_LABEL, run],
    )
    event_columns, event_leading = outbox_emit_sql(type=EventType.DOSSIER_CANCELLED_BY_PERMIT)
    cursor.execute(
        f"""
        INSERT INTO eloket_outboxevent ({event_columns})
        SELECT {event_leading}, d.organisation_id, d.id, d.party_id, {REASON}
        FROM eloket_permitmatch m
        JOIN eloket_dossier d ON d.id = m.dossier_id
        JOIN eloket_dossier p ON p.id = m.permit_id
        WHERE m.run = %s
        """,  # noqa: S608
        [EventType.DOSSIER_CANCELLED_BY_PERMIT, at, run],
    )
    return cancelled


def permit_written(*, permit_ids: Iterable[int]) -> CrossCheckResult:
    """A permit arrived or changed: rebuild its scope, then cancel what it covers (retroactively)."""
    permit_ids = list(permit_ids)
    with transaction.atomic():
        permit_scope_rebuild(permit_ids=permit_ids)
        return permit_cross_check(permit_ids=permit_ids)


@dataclass(frozen=True)
class Coverage:
    covered: bool
    permit: Dossier | None = None


def permit_covering(
    *, municipality_id: int, plate: str, at: dt.datetime, zone_code: str = "", street: str = ""
) -> Coverage:
    """Does a permit of this municipality cover this plate at this place and time?"""
    places = []
    zone = zone_code_normalise(zone_code)
    key = street_key(street)
    scopes = (
        PermitScope.objects.filter(municipality_id=municipality_id, plate_normalised=plate_normalise(plate))
        .exclude(valid_from__gt=at)
        .exclude(valid_until__lt=at)
    )
    if zone:
        places.append(("zone_code", zone))
    if key:
        places.append(("street_key", key))
    if not places:
        return Coverage(covered=False)
    from django.db.models import Q

    place_filter = Q()
    for field, value in places:
        place_filter |= Q(**{field: value})
    scope = scopes.filter(place_filter).select_related("permit").order_by("permit_id").first()
    if scope is None:
        return Coverage(covered=False)
    return Coverage(covered=True, permit=scope.permit)
