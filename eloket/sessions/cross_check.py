"""The session cross-check: a parking retribution that a provider's session covers is cancelled, in the
image of the permit cross-check (``eloket.permits.permit_cross_check``).

- Retributions not yet paid, contested or closed (the statuses from which the policy allows
  ``cancelled_by_session``, other than ``paid``) are cancelled set-based: on PostgreSQL one statement
  whose writable CTEs write the ``SessionMatch`` rows, the dossiers' status, the timeline events and the
  outbox events (``dossier.cancelled_by_session``); on SQLite the same in steps, from ``SessionMatch``.
- A ``paid`` retribution a session covers (a session reported late) is cancelled one by one through
  ``eloket.services.dossier_transition``, its payment given back: the timeline event and the outbox
  event carry ``refund_due_cents`` and ``eloket.payments.services.refunds_fan_out`` refunds it through
  the channel that took the money.

It runs at import of retributions (scoped to the dossiers just written, ``eloket.ingest``), when
sessions arrive (scoped to them: retroactive, ``eloket.sessions.write``) and in full from the bench.
The matching rules are those of ``eloket.sessions``: same municipality and normalised plate, the
area's code is the retribution's zone or its street is one of the area's, and the observation falls
in the session widened by the grace minutes of the retribution's regulation (none without one).
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
from eloket.models import Dossier
from eloket.models.integrations import EventType
from eloket.models.parking import ParkingSession, SessionMatch
from eloket.outbox import outbox_emit, outbox_emit_sql, outbox_json_cast, outbox_poke_after_commit
from eloket.policies import policy_for

logger = logging.getLogger(__name__)

ACTOR_LABEL = "Automatische controle van parkeersessies"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # the session's times in the events' data, in UTC


def _statuses_to_session() -> set[str]:
    policy = policy_for(DossierKind.PARKING_RETRIBUTION)
    return {status for (status, target) in policy.transitions if target == DossierStatus.CANCELLED_BY_SESSION}


def cancellable_statuses() -> tuple[str, ...]:
    """Statuses cancelled set-based: the policy's sources of ``cancelled_by_session`` but ``paid``."""
    return tuple(sorted(_statuses_to_session() - {DossierStatus.PAID}))


def refundable_statuses() -> tuple[str, ...]:
    """Statuses cancelled one by one, with a refund of what was paid (``paid``, if the policy allows)."""
    return tuple(sorted(_statuses_to_session() & {DossierStatus.PAID}))


@dataclass(frozen=True)
class SessionCheckResult:
    run: str
    cancelled: int  # every retribution cancelled in this run, the refunded ones included
    refunded: int  # of which were paid, and are being refunded


def session_cross_check(
    *,
    dossier_ids: Iterable[int] | None = None,
    session_ids: Iterable[int] | None = None,
    at: dt.datetime | None = None,
) -> SessionCheckResult:
    """Cancel every parking retribution in scope that a session covers.

    Scope: the given retributions, or the retributions the given sessions cover, or (neither given)
    all of them. Idempotent: a cancelled retribution is no longer in a status the check looks at, so a
    second run finds nothing. Call inside or outside a transaction; the work is one transaction of its
    own (a savepoint when nested). Side effects: SessionMatch, dossier status, timeline and outbox rows;
    the outbox dispatch is poked after commit when something was cancelled.
    """
    at = at or timezone.now()
    run = secrets.token_hex(8)
    nothing = SessionCheckResult(run=run, cancelled=0, refunded=0)
    if dossier_ids is not None:
        dossier_ids = _with_sessions(list(dossier_ids))
        if not dossier_ids:
            return nothing
    if session_ids is not None:
        session_ids = _with_retributions(list(session_ids))
        if not session_ids:
            return nothing
    with transaction.atomic(), connection.cursor() as cursor:
        params: list = []
        matching = _matching_sql(cancellable_statuses(), params, dossier_ids, session_ids)
        if connection.vendor == "postgresql":
            cancelled = _cancel_postgresql(cursor, matching, params, at=at, run=run)
        else:
            cancelled = _cancel_in_steps(cursor, matching, params, at=at, run=run)
        refunded = _cancel_paid(cursor, dossier_ids, session_ids, at=at, run=run)
        cancelled = max(cancelled, 0) + refunded
        if not cancelled:
            return nothing
        outbox_poke_after_commit()
    logger.info("session_cross_check run=%s cancelled=%s refunded=%s", run, cancelled, refunded)
    return SessionCheckResult(run=run, cancelled=cancelled, refunded=refunded)


def _with_sessions(dossier_ids: list[int]) -> list[int]:
    """Those of the dossiers whose plate has a session in their municipality at all: one probe of the
    session index per dossier, so an import batch whose plates were never parked by app ends here."""
    if not dossier_ids:
        return []
    params: list = []
    ids = _in_list("d.id", dossier_ids, params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.id FROM eloket_dossier d
            WHERE {ids} AND d.plate_normalised <> '' AND EXISTS (
                SELECT 1 FROM eloket_parkingsession s
                WHERE s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
            )
            """,  # noqa: S608 (only placeholders are interpolated)
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def _with_retributions(session_ids: list[int]) -> list[int]:
    """Those of the sessions whose plate has a parking retribution in their municipality at all (in
    any status: the paid ones may be refunded): one probe of the dossier plate index per session, so
    a batch of sessions of plates never fined ends here, before the matching joins."""
    if not session_ids:
        return []
    params: list = [DossierKind.PARKING_RETRIBUTION]
    ids = _in_list("s.id", session_ids, params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.id FROM eloket_parkingsession s
            WHERE {ids} AND EXISTS (
                SELECT 1 FROM eloket_dossier d
                WHERE d.plate_normalised = s.plate_normalised AND d.municipality_id = s.municipality_id
                  AND d.kind = %s
            )
            """,  # noqa: S608 (only placeholders are interpolated)
            [*params[1:], params[0]],
        )
        return [row[0] for row in cursor.fetchall()]


def _in_list(column: str, values: list[int], params: list) -> str:
    """``column IN (…)``: one array parameter on PostgreSQL (a batch has thousands), a list on SQLite."""
    if connection.vendor == "postgresql":
        params.append(values)
        return f"{column} = ANY(%s)"
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


GRACE = "COALESCE(r.session_grace_minutes, 0)"


def _time_covered() -> str:
    """``start - grace <= t`` and (running, or ``t <= end + grace``), per vendor.

    SQLite keeps datetimes as text: compared as whole milliseconds since the epoch (julianday is a
    double, exact to some 50 µs; rounded, the grace boundary itself is covered on both databases)."""
    if connection.vendor == "postgresql":
        grace = f"make_interval(mins => {GRACE})"
        return (
            f"s.start_at <= d.occurred_at + {grace}"
            f" AND (s.end_at IS NULL OR d.occurred_at <= s.end_at + {grace})"
        )

    def ms(column: str) -> str:
        return f"CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)"

    grace = f"({GRACE} * 60000)"
    return (
        f"{ms('s.start_at')} - {grace} <= {ms('d.occurred_at')}"
        f" AND (s.end_at IS NULL OR {ms('d.occurred_at')} <= {ms('s.end_at')} + {grace})"
    )


def _matching_sql(statuses, params: list, dossier_ids, session_ids) -> str:
    """``FROM … WHERE …`` of (retribution d, covering session s, d's regulation r) pairs in scope."""
    where = [
        "d.kind = %s",
        f"d.status IN ({', '.join(['%s'] * len(statuses))})",
        "d.occurred_at IS NOT NULL",
        "d.plate_normalised <> ''",
        "((d.zone_code <> '' AND s.area_code = d.zone_code)"
        " OR (d.street_key <> '' AND EXISTS (SELECT 1 FROM eloket_parkingareastreet a"
        " WHERE a.area_id = s.area_id AND a.street_key = d.street_key)))",
        _time_covered(),
        "NOT EXISTS (SELECT 1 FROM eloket_sessionmatch m WHERE m.dossier_id = d.id)",
    ]
    params += [DossierKind.PARKING_RETRIBUTION, *statuses]
    if dossier_ids is not None:
        where.append(_in_list("d.id", dossier_ids, params))
    if session_ids is not None:
        where.append(_in_list("s.id", session_ids, params))
    return f"""
        FROM eloket_dossier d
        JOIN eloket_parkingsession s
          ON s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
        LEFT JOIN eloket_regulation r ON r.id = d.regulation_id
        WHERE {" AND ".join(where)}
    """


# One session per retribution (the first reported), and the grace minutes that applied.
_FOUND = ("SELECT d.id AS dossier_id, MIN(s.id) AS session_id, d.status AS status_from,"
          f" d.organisation_id, d.party_id, MAX({GRACE}) AS grace_minutes")  # fmt: skip


def _reason() -> str:
    """The timeline's and outbox event's data as JSON, from session ``s`` and its provider ``o``:
    {"provider", "session_id", "start", "end" (null while running), "area"}."""
    if connection.vendor == "postgresql":

        def iso(column: str) -> str:
            return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""

        build = "json_build_object"
    else:

        def iso(column: str) -> str:
            # "%%": the statement has parameters (Django turns it into "%"; DEBUG's query log needs it).
            return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {column})"

        build = "json_object"
    return outbox_json_cast(
        f"{build}('provider', o.name_nl, 'session_id', s.provider_session_id,"
        f" 'start', {iso('s.start_at')}, 'end', {iso('s.end_at')}, 'area', s.area_code)"
    )


def _cancel_postgresql(cursor, matching: str, params: list, *, at, run: str) -> int:
    """One statement: writable CTEs find the matches once and write all four tables from them."""
    event_columns, event_leading = outbox_emit_sql(type=EventType.DOSSIER_CANCELLED_BY_SESSION)
    cursor.execute(
        f"""
        WITH found AS MATERIALIZED ({_FOUND} {matching} GROUP BY d.id),
        reasons AS MATERIALIZED (
            SELECT f.*, {_reason()} AS reason
            FROM found f
            JOIN eloket_parkingsession s ON s.id = f.session_id
            JOIN eloket_organisation o ON o.id = s.provider_id
        ),
        matched AS (
            INSERT INTO eloket_sessionmatch
                (dossier_id, session_id, status_from, grace_minutes, matched_at, run)
            SELECT dossier_id, session_id, status_from, grace_minutes, %s, %s FROM found
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
            DossierStatus.CANCELLED_BY_SESSION,
            at,
            TimelineEventKind.CANCELLED_BY_SESSION,
            DossierStatus.CANCELLED_BY_SESSION,
            at,
            ACTOR_LABEL,
            EventType.DOSSIER_CANCELLED_BY_SESSION,
            at,
        ],
    )
    return cursor.rowcount


def _cancel_in_steps(cursor, matching: str, params: list, *, at, run: str) -> int:
    """SQLite has no writable CTEs: the matches go to SessionMatch first, the rest is written from there."""
    at_value = connection.ops.adapt_datetimefield_value(at)
    cursor.execute(
        f"""
        INSERT INTO eloket_sessionmatch (dossier_id, session_id, status_from, grace_minutes, matched_at, run)
        SELECT dossier_id, session_id, status_from, grace_minutes, %s, %s
        FROM ({_FOUND} {matching} GROUP BY d.id) found
        """,  # noqa: S608
        [at_value, run, *params],
    )
    cancelled = cursor.rowcount
    if cancelled <= 0:
        return 0
    cursor.execute(
        """
        UPDATE eloket_dossier SET status = %s, updated_at = %s
        WHERE id IN (SELECT dossier_id FROM eloket_sessionmatch WHERE run = %s)
        """,
        [DossierStatus.CANCELLED_BY_SESSION, at_value, run],
    )
    sources = """
        FROM eloket_sessionmatch m
        JOIN eloket_dossier d ON d.id = m.dossier_id
        JOIN eloket_parkingsession s ON s.id = m.session_id
        JOIN eloket_organisation o ON o.id = s.provider_id
        WHERE m.run = %s
    """
    cursor.execute(
        f"""
        INSERT INTO eloket_timelineevent
            (dossier_id, kind, status_from, status_to, occurred_at, actor_label, note, data)
        SELECT m.dossier_id, %s, m.status_from, %s, %s, %s, '', {_reason()} {sources}
        """,
        [
            TimelineEventKind.CANCELLED_BY_SESSION,
            DossierStatus.CANCELLED_BY_SESSION,
            at_value,
            ACTOR_LABEL,
            run,
        ],
    )
    event_columns, event_leading = outbox_emit_sql(type=EventType.DOSSIER_CANCELLED_BY_SESSION)
    cursor.execute(
        f"""
        INSERT INTO eloket_outboxevent ({event_columns})
        SELECT {event_leading}, d.organisation_id, d.id, d.party_id, {_reason()} {sources}
        """,
        [EventType.DOSSIER_CANCELLED_BY_SESSION, at_value, run],
    )
    return cancelled


def session_reason(session: ParkingSession) -> dict:
    """The same data as the set-based path's JSON, for one session."""
    return {
        "provider": session.provider.name_nl,
        "session_id": session.provider_session_id,
        "start": session.start_at.astimezone(dt.UTC).strftime(TIME_FORMAT),
        "end": session.end_at.astimezone(dt.UTC).strftime(TIME_FORMAT) if session.end_at else None,
        "area": session.area_code,
    }


def _cancel_paid(cursor, dossier_ids, session_ids, *, at, run: str) -> int:
    """Paid retributions a (late) session covers: cancelled one by one, and what was paid refunded."""
    statuses = refundable_statuses()
    if not statuses:
        return 0
    params: list = []
    matching = _matching_sql(statuses, params, dossier_ids, session_ids)
    cursor.execute(
        f"SELECT dossier_id, session_id, grace_minutes FROM ({_FOUND} {matching} GROUP BY d.id) found",  # noqa: S608
        params,
    )
    found = cursor.fetchall()
    done = 0
    for dossier_id, session_id, grace_minutes in found:
        if session_paid_cancel(
            dossier_id=dossier_id, session_id=session_id, grace_minutes=grace_minutes, at=at, run=run
        ):
            done += 1
    return done


def session_paid_cancel(
    *, dossier_id: int, session_id: int, grace_minutes: int, at: dt.datetime, run: str
) -> bool:
    """Cancel one paid retribution that a session covers; what was paid is due back.

    The dossier then owes and holds nothing (``amount_paid_cents`` 0). The timeline event and the
    outbox event carry ``refund_due_cents``; the refund itself is made by the outbox consumer
    ``refunds_fan_out`` (``refund_for_decision`` finds the timeline event by that amount). Returns
    False when the dossier is no longer paid (changed since it was found)."""
    from eloket.services import dossier_transition

    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
        if dossier.status not in refundable_statuses():
            return False
        session = ParkingSession.objects.select_related("provider").get(pk=session_id)
        data = session_reason(session)
        refund_due = dossier.amount_paid_cents
        if refund_due:
            data["refund_due_cents"] = refund_due
            dossier.amount_paid_cents = 0
            dossier.save(update_fields=["amount_paid_cents", "updated_at"])
        status_from = dossier.status
        dossier = dossier_transition(
            dossier_id=dossier.pk,
            to_status=DossierStatus.CANCELLED_BY_SESSION,
            actor_label=ACTOR_LABEL,
            data=data,
            at=at,
        )
        SessionMatch.objects.create(
            dossier=dossier,
            session=session,
            status_from=status_from,
            grace_minutes=grace_minutes,
            matched_at=at,
            run=run,
        )
        outbox_emit(
            type=EventType.DOSSIER_CANCELLED_BY_SESSION,
            organisation_id=dossier.organisation_id,
            dossier=dossier,
            data=data,
        )
    logger.info("session_paid_cancelled dossier=%s session=%s run=%s", dossier_id, session_id, run)
    return True
