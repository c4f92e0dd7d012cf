"""Parking sessions at national scale (issue 14, point 9), ``python -m bench --only sessions``; meant for
PostgreSQL. The data set is ``bench.sessions_data`` (default 10,000,000 sessions, 1,000,000
retributions). Four ratios, each side measured in the same run, taking turns:

* ``rights_check_one``: ``eloket.sessions.coverage.rights_check`` for one plate against a bare indexed
  lookup of the same rows (one hand-written ``SELECT`` on the session index joined to the area by
  code and to the provider, with the grace known beforehand, plus the permit-scope lookup); target
  ≤ 1.5. The HTTP view (``GET /api/v1/rights-check/``, in-process) is printed against the same lookup.
* ``rights_check_batch``: 100 plates in one call against one plate; target ≤ 20.
* ``session_ingest``: sessions posted to ``/api/v1/sessions/bulk/`` in requests of 100,000 NDJSON lines
  (authentication, validation, the writer, the cross-check of each batch, the streamed results),
  sessions/s against a raw ``COPY`` of exactly the rows it wrote (new ids, rolled back, foreign keys
  checked as a commit would); target ≥ 0.25.
* ``session_cross_check``: ``eloket.sessions.cross_check.session_cross_check()`` over every
  retribution (rolled back) against the same cancellation by hand, one ``UPDATE … FROM`` with the same
  join (rolled back); target ≤ 2.0. Both must cancel exactly the retributions built covered.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time

from django.db import connection, transaction

from bench import sessions_data as data

RIGHTS_ONE_TARGET = 1.5
RIGHTS_BATCH_TARGET = 20.0
INGEST_TARGET = 0.25
CROSS_CHECK_TARGET = 2.0
BATCH = 100
LINES_PER_REQUEST = 100_000
SQLITE_LIMITS = {"sessions": 50_000, "retributions": 5_000, "ingest": 10_000}


class Rollback(Exception):
    pass


def _db_time(value: dt.datetime):
    return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)


def samples(*, ctx: dict, count: int) -> list[dict]:
    """Covered retributions with a zone code: where, when and which plate a scan car asks about, and
    99 other plates of the same municipality for the batch."""
    from eloket.models import Dossier

    rows = list(
        Dossier.objects.filter(organisation=ctx["organisation"], external_id__startswith="BSR-C-")
        .exclude(zone_code="")
        .order_by("id")
        .values_list("municipality_id", "plate", "occurred_at", "zone_code")[: count * 20]
    )
    rng = random.Random(3)
    rng.shuffle(rows)
    nis = {m.pk: m.nis_code for m in ctx["municipalities"]}
    plates = {}
    for municipality_id, plate, _at, _zone in rows:
        plates.setdefault(municipality_id, []).append(plate)
    return [
        {
            "municipality_id": municipality_id,
            "nis": nis[municipality_id],
            "plate": plate,
            "at": at,
            "zone": zone,
            "batch": [
                plate,
                *rng.sample(plates[municipality_id], min(BATCH - 1, len(plates[municipality_id]))),
            ],
        }
        for municipality_id, plate, at, zone in rows[:count]
    ]


def bare_lookup(sample: dict) -> tuple[list, list]:
    """The least that answers the question: the plate's sessions in the zone around ``at`` (the grace
    known beforehand) on the session index, and its permit scopes there."""
    at, grace = sample["at"], dt.timedelta(minutes=data.GRACE_MINUTES)
    plate = sample["plate"].replace("-", "")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.provider_session_id, s.area_code, s.start_at, s.end_at, o.name_nl
            FROM eloket_parkingsession s
            JOIN eloket_parkingarea a ON a.id = s.area_id
            JOIN eloket_organisation o ON o.id = s.provider_id
            WHERE s.municipality_id = %s AND s.plate_normalised = %s
              AND s.start_at >= %s AND s.start_at <= %s AND a.code = %s AND a.active
              AND (s.end_at IS NULL OR s.end_at >= %s)
            ORDER BY s.start_at DESC
            """,
            [
                sample["municipality_id"],
                plate,
                _db_time(at - dt.timedelta(days=7) - grace),
                _db_time(at + grace),
                sample["zone"],
                _db_time(at - grace),
            ],
        )
        sessions = cursor.fetchall()
        cursor.execute(
            """
            SELECT permit_id FROM eloket_permitscope
            WHERE municipality_id = %s AND plate_normalised = %s AND zone_code = %s
              AND (valid_from IS NULL OR valid_from <= %s) AND (valid_until IS NULL OR valid_until >= %s)
            """,
            [sample["municipality_id"], plate, sample["zone"], _db_time(at), _db_time(at)],
        )
        permits = cursor.fetchall()
    return sessions, permits


def run_rights(*, ctx: dict, checks: int) -> tuple[dict[str, float], dict[str, int]]:
    """Median milliseconds of the bare lookup, one plate, 100 plates and the HTTP view, taking turns;
    and the number of queries (round trips) of one plate and of the bare lookup."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from eloket.sessions.coverage import rights_check

    chosen = samples(ctx=ctx, count=checks)
    if not chosen:
        raise SystemExit("bench sessions: FAILED: no covered retribution to ask about")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ctx['keys']['bench-city']}"}

    def one(s):
        return rights_check(
            municipality_id=s["municipality_id"], plates=[s["plate"]], at=s["at"], zone_code=s["zone"]
        )

    def batch(s):
        return rights_check(
            municipality_id=s["municipality_id"], plates=s["batch"], at=s["at"], zone_code=s["zone"]
        )

    def http(s):
        query = {"municipality": s["nis"], "plate": s["plate"], "zone": s["zone"], "at": s["at"].isoformat()}
        return client.get("/api/v1/rights-check/", query, **auth)

    _agree(chosen[:3], bare=bare_lookup, one=one, batch=batch, http=http)
    queries = {}
    for name, call in (("one", one), ("bare", bare_lookup)):
        with CaptureQueriesContext(connection) as captured:
            call(chosen[0])
        queries[name] = len(captured.captured_queries)
    sides = {"bare": bare_lookup, "one": one, "batch": batch, "http": http}
    times: dict[str, list[float]] = {name: [] for name in sides}
    warmup = min(10, len(chosen))
    for i, s in enumerate(chosen[:warmup] + chosen):
        order = list(sides.items()) if i % 2 else list(reversed(sides.items()))
        for name, call in order:
            began = time.perf_counter()
            call(s)
            if i >= warmup:
                times[name].append((time.perf_counter() - began) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}, queries


def _agree(chosen: list[dict], *, bare, one, batch, http) -> None:
    """The numbers mean nothing unless every side finds the covering session."""
    for s in chosen:
        response = http(s)
        if not (one(s)[0].reason == "session" and bare(s)[0] and response.status_code == 200):
            raise SystemExit(
                f"bench sessions: FAILED: a covered plate was not found ({response.status_code})"
            )
        if not response.json()["covered"] or len(batch(s)) != len(s["batch"]):
            raise SystemExit("bench sessions: FAILED: the HTTP view or the batch disagrees")


def run_ingest(*, ctx: dict, total: int) -> dict:
    """Post the lines in requests of ``LINES_PER_REQUEST``; after each, COPY the rows it wrote (rolled
    back), so a shared machine's load weighs on both alike."""
    from django.db.models import Max
    from django.test import Client

    from eloket.models.parking import ParkingSession

    provider = ctx["provider"]
    already = ParkingSession.objects.filter(
        provider=provider, provider_session_id__startswith="BULK-"
    ).count()
    client = Client()
    totals = {"seconds": 0.0, "created": 0, "cancelled": 0, "copy_seconds": 0.0, "copied": 0}
    for start in range(already, already + total, LINES_PER_REQUEST):
        count = min(LINES_PER_REQUEST, already + total - start)
        body = data.ingest_lines(start=start, count=count, ctx=ctx)
        since = ParkingSession.objects.aggregate(m=Max("id"))["m"] or 0
        began = time.perf_counter()
        response = client.generic(
            "POST",
            "/api/v1/sessions/bulk/",
            body,
            content_type="application/x-ndjson",
            HTTP_AUTHORIZATION=f"Bearer {ctx['keys']['bench-provider']}",
        )
        last = b""
        for chunk in response.streaming_content:
            last = chunk
        totals["seconds"] += time.perf_counter() - began
        summary = json.loads(last.splitlines()[-1])["summary"]
        if summary["created"] != count:
            raise SystemExit(f"bench sessions ingest: FAILED: {summary}")
        totals["created"] += count
        totals["cancelled"] += summary["cancelled_by_session"]
        seconds, copied = copy_sessions(provider_id=provider.pk, since=since)
        totals["copy_seconds"] += seconds
        totals["copied"] += copied
    return totals


def copy_sessions(*, provider_id: int, since: int) -> tuple[float, int]:
    """COPY the sessions written after id ``since`` again (new ids and session ids), then roll back."""
    from eloket.models.parking import ParkingSession
    from eloket.scale.writer import Writer

    rows = list(
        ParkingSession.objects.filter(id__gt=since, provider_id=provider_id)
        .order_by("id")
        .values_list(*data.SESSION_COLUMNS)
    )
    writer = Writer()
    seconds = 0.0
    try:
        with transaction.atomic():
            ids = writer.allocate_ids(ParkingSession, len(rows))
            rows = [(pk, row[1], f"COPY-{pk}", *row[3:]) for pk, row in zip(ids, rows, strict=True)]
            if writer.postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            began = time.perf_counter()
            writer._insert(ParkingSession, data.SESSION_COLUMNS, rows)
            if writer.postgres:  # the foreign keys are checked at commit; the rollback would skip that
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - began
            raise Rollback
    except Rollback:
        pass
    return seconds, len(rows)


def by_hand_sql() -> tuple[str, str, list]:
    """The cancellation as one ``UPDATE … FROM`` and the bare ``SELECT`` of the same join, written
    independently of ``eloket.sessions.cross_check`` (the rules of ``eloket.sessions``)."""
    from eloket.constants import DossierKind, DossierStatus
    from eloket.sessions.cross_check import cancellable_statuses

    statuses = cancellable_statuses()
    if connection.vendor == "postgresql":
        grace = "make_interval(mins => r.session_grace_minutes)"
        time_ok = (
            f"s.start_at <= d.occurred_at + {grace}"
            f" AND (s.end_at IS NULL OR d.occurred_at <= s.end_at + {grace})"
        )
    else:
        grace = "r.session_grace_minutes / 1440.0"
        time_ok = (
            f"julianday(s.start_at) <= julianday(d.occurred_at) + {grace}"
            f" AND (s.end_at IS NULL OR julianday(d.occurred_at) <= julianday(s.end_at) + {grace})"
        )
    condition = f"""
        s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
        AND r.id = d.regulation_id
        AND d.kind = %s AND d.status IN ({", ".join(["%s"] * len(statuses))})
        AND d.occurred_at IS NOT NULL AND d.plate_normalised <> ''
        AND ((d.zone_code <> '' AND s.area_code = d.zone_code)
             OR (d.street_key <> '' AND EXISTS (SELECT 1 FROM eloket_parkingareastreet a
                                                WHERE a.area_id = s.area_id AND a.street_key = d.street_key)))
        AND {time_ok}
        AND NOT EXISTS (SELECT 1 FROM eloket_sessionmatch m WHERE m.dossier_id = d.id)
    """
    params = [DossierKind.PARKING_RETRIBUTION, *statuses]
    update = f"""
        UPDATE eloket_dossier AS d SET status = '{DossierStatus.CANCELLED_BY_SESSION}', updated_at = %s
        FROM eloket_parkingsession s, eloket_regulation r WHERE {condition}
    """
    select = f"""
        SELECT count(DISTINCT d.id) FROM eloket_dossier d, eloket_parkingsession s, eloket_regulation r
        WHERE {condition}
    """
    return update, select, params


def run_cross_check() -> dict:
    from django.utils import timezone

    from eloket.sessions.cross_check import session_cross_check

    update, select, params = by_hand_sql()
    result: dict = {}
    try:
        with transaction.atomic():
            began = time.perf_counter()
            result["cancelled"] = session_cross_check().cancelled
            result["seconds"] = time.perf_counter() - began
            raise Rollback
    except Rollback:
        pass
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(update, [_db_time(timezone.now()), *params])
            result["by_hand_seconds"] = time.perf_counter() - began
            result["by_hand"] = cursor.rowcount
            raise Rollback
    except Rollback:
        pass
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(select, params)
        result["select"] = cursor.fetchone()[0]
        result["select_seconds"] = time.perf_counter() - began
    return result


def main(*, sessions: int, retributions: int, ingest: int, checks: int = 200) -> bool:
    """Build or reuse the data set, print the four ratios; False when one misses its target."""
    from eloket.models import Dossier

    vendor = connection.vendor
    if vendor != "postgresql":
        sessions = min(sessions, SQLITE_LIMITS["sessions"])
        retributions = min(retributions, SQLITE_LIMITS["retributions"])
        ingest = min(ingest, SQLITE_LIMITS["ingest"])
        print(
            f"bench sessions: meant for PostgreSQL (DATABASE_URL=postgres://…); on {vendor} at most "
            f"{sessions} sessions, {retributions} retributions, {ingest} ingested, and no target applies"
        )
    ctx = data.setup(parties=min(data.PARTIES, max(retributions // 10, 1)))
    made = data.ensure_sessions(ctx=ctx, count=sessions)
    made_r = data.ensure_retributions(ctx=ctx, count=retributions)
    expected = Dossier.objects.filter(
        organisation=ctx["organisation"], external_id__startswith="BSR-C-"
    ).count()
    print(
        f"bench sessions dataset: {sessions} sessions ({made}), {retributions} retributions ({made_r}),"
        f" {expected} of them covered by a session; {data.MUNICIPALITIES} municipalities ×"
        f" {data.AREAS} areas; grace {data.GRACE_MINUTES} min"
    )
    ok = True
    times, queries = run_rights(ctx=ctx, checks=checks)
    ratio = times["one"] / times["bare"]
    ok &= ratio <= RIGHTS_ONE_TARGET
    print(
        f"bench rights_check_one: {times['one']:.2f} ms ({queries['one']} queries); bare indexed lookup "
        f"(sessions + permit scopes) {times['bare']:.2f} ms ({queries['bare']} queries); ratio {ratio:.2f}"
        f" (target ≤ {RIGHTS_ONE_TARGET}); the HTTP view "
        f"{times['http']:.2f} ms ({times['http'] / times['bare']:.2f} × the bare lookup, no target); "
        f"median of {checks}"
    )
    ratio = times["batch"] / times["one"]
    ok &= ratio <= RIGHTS_BATCH_TARGET
    print(
        f"bench rights_check_batch: {BATCH} plates {times['batch']:.2f} ms; one plate {times['one']:.2f} ms;"
        f" ratio {ratio:.2f} (target ≤ {RIGHTS_BATCH_TARGET})"
    )
    check = run_cross_check()
    if not check["cancelled"] == check["by_hand"] == check["select"] == expected:
        print(f"bench session_cross_check: FAILED: expected {expected} cancelled, found {check}")
        return False
    ratio = check["seconds"] / check["by_hand_seconds"]
    ok &= ratio <= CROSS_CHECK_TARGET
    total = Dossier.objects.filter(kind="parking_retribution").count()
    print(
        f"bench session_cross_check: {total} retributions × {sessions} sessions: {check['cancelled']} "
        f"cancelled in {check['seconds']:.2f} s (with match record, timeline and outbox); by hand, one "
        f"UPDATE … FROM join: {check['by_hand_seconds']:.2f} s; ratio {ratio:.2f} (target ≤ "
        f"{CROSS_CHECK_TARGET}); the bare SELECT join: {check['select_seconds']:.2f} s"
    )
    if ingest:
        run = run_ingest(ctx=ctx, total=ingest)
        rate, copy_rate = run["created"] / run["seconds"], run["copied"] / run["copy_seconds"]
        ratio = rate / copy_rate
        ok &= ratio >= INGEST_TARGET
        print(
            f"bench session_ingest: {run['created']} sessions through /api/v1/sessions/bulk/ in "
            f"{run['seconds']:.1f} s = {rate:,.0f}/s; a raw COPY of the same rows {run['copy_seconds']:.1f} s"
            f" = {copy_rate:,.0f}/s; ratio {ratio:.2f} (target ≥ {INGEST_TARGET})"
        )
    return ok if vendor == "postgresql" else True
