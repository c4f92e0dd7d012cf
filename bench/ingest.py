"""The city-systems benchmarks of ``python -m bench`` (issue 5), meant for PostgreSQL.

* ``bulk``: ``--ingest-dossiers`` parking retributions (default 1,000,000) posted to
  ``/api/v1/dossiers/bulk/`` in requests of 100,000 NDJSON lines, in-process (authentication, parsing,
  validation, party matching, dossier + two timeline events per line, the permit cross-check per batch,
  the streamed per-line results). Dossiers/s, and the ratio to a raw ``COPY`` of the same rows the import
  wrote (its new parties, the dossiers and their timeline events) into the same tables in the same run,
  rolled back afterwards; target ≥ 0.25.
* ``cross_check``: 100,000 resident permits (their scope rows written) against the retributions, of
  which about 2% fall under a permit; the full set-based cross-check (find, cancel, timeline, outbox,
  match record) against the same cancellation written by hand as one ``UPDATE … FROM`` join over the
  same tables (each rolled back); target ≤ 2.0. The bare ``SELECT`` join is printed too.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time

BULK_TARGET = 0.25
CROSS_CHECK_TARGET = 2.0
LINES_PER_REQUEST = 100_000
ORGANISATION = "bench-ingest"
MUNICIPALITIES = 20
PARTIES = 300_000
COVERED_SHARE = 0.02


def national_numbers(count: int) -> list[str]:
    """Valid national register numbers of people born in the 1980s (fast: no library call per number)."""
    numbers = []
    day = dt.date(1980, 1, 1)
    while len(numbers) < count:
        for sequence in range(1, 998, 2):
            body = f"{day:%y%m%d}{sequence:03d}"
            numbers.append(f"{body}{97 - int(body) % 97:02d}")
            if len(numbers) == count:
                break
        day += dt.timedelta(days=1)
    return numbers


def setup():
    from eloket.constants import DossierKind, OrganisationKind
    from eloket.models import ApiKey, Municipality, Organisation, Regulation

    municipalities = []
    for i in range(MUNICIPALITIES):
        municipality, _ = Municipality.objects.get_or_create(
            nis_code=f"{98000 + i:05d}", defaults={"slug": f"bench-ingest-{i}", "name_nl": f"Bench {i}"}
        )
        municipalities.append(municipality)
    organisation, _ = Organisation.objects.get_or_create(
        slug=ORGANISATION,
        defaults={
            "kind": OrganisationKind.PARKING_COMPANY,
            "name_nl": "Bench Parkeren",
            "iban": "BE21001234567803",
            "account_holder": "Bench Parkeren",
            "email": "bench@example.be",
        },
    )
    organisation.municipalities.add(*municipalities)
    Regulation.objects.get_or_create(
        organisation=organisation,
        code="BENCH-RET",
        defaults={
            "kind": DossierKind.PARKING_RETRIBUTION,
            "title": "Bench",
            "valid_from": dt.date(2024, 1, 1),
            "tariff": {"forfait": 3500},
        },
    )
    prefix, secret, token = ApiKey.new_token()
    ApiKey.objects.create(
        organisation=organisation, name="bench", prefix=prefix, secret_hash=ApiKey.hash_secret(secret)
    )
    return organisation, municipalities, token


def lines(start: int, count: int, numbers: list[str], rng: random.Random) -> bytes:
    base = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    out = []
    for i in range(start, start + count):
        occurred = base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        out.append(
            json.dumps(
                {
                    "external_id": f"BULK-{i:08d}",
                    "kind": "parking_retribution",
                    "municipality": f"{98000 + i % MUNICIPALITIES:05d}",
                    "party": {
                        "national_number": numbers[i % len(numbers)],
                        "name": f"Houder {i % len(numbers)}",
                    },
                    "plate": f"1-B{i % 100_000:05d}",
                    "street": "Stationsstraat",
                    "zone_code": f"Z{i % 7}",
                    "occurred_at": occurred.isoformat(),
                    "regulation": "BENCH-RET",
                    "status": "notified",
                    "notified_at": (occurred + dt.timedelta(days=2)).isoformat(),
                }
            )
        )
    return ("\n".join(out) + "\n").encode()


def run_bulk(*, organisation, token: str, total: int) -> dict:
    """Post the lines in requests of 100,000; after each request, COPY the rows it wrote (rolled
    back), so the two take turns and a shared machine's load weighs on both alike."""
    from django.db.models import Max
    from django.test import Client

    from eloket.models import Dossier, Party

    already = Dossier.objects.filter(organisation=organisation, kind="parking_retribution").count()
    client = Client()
    rng = random.Random(5)
    numbers = national_numbers(PARTIES)
    totals = {"seconds": 0.0, "created": 0, "copy_seconds": 0.0, "copied": 0}
    for start in range(already, already + total, LINES_PER_REQUEST):
        count = min(LINES_PER_REQUEST, already + total - start)
        body = lines(start, count, numbers, rng)
        since = {
            "party": Party.objects.aggregate(m=Max("id"))["m"] or 0,
            "dossier": Dossier.objects.aggregate(m=Max("id"))["m"] or 0,
        }
        began = time.perf_counter()
        response = client.generic(
            "POST",
            "/api/v1/dossiers/bulk/",
            body,
            content_type="application/x-ndjson",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        last = b""
        for chunk in response.streaming_content:
            last = chunk
        totals["seconds"] += time.perf_counter() - began
        summary = json.loads(last.splitlines()[-1])["summary"]
        if summary["created"] != count:
            raise SystemExit(f"bench bulk: FAILED: {summary}")
        totals["created"] += count
        copy_seconds, copied = run_copy(organisation=organisation, since=since)
        totals["copy_seconds"] += copy_seconds
        totals["copied"] += copied
    return totals


def run_copy(*, organisation, since: dict) -> tuple[float, int]:
    """COPY the rows the bulk import wrote (its new parties, its dossiers, their timeline events) again
    into the same tables, with new ids and unique values, then roll back. Returns (seconds, rows)."""
    from django.db import connection, transaction

    from eloket.ingest import _DOSSIER_COLUMNS, _EVENT_COLUMNS, _PARTY_COLUMNS
    from eloket.models import Dossier, Party, TimelineEvent
    from eloket.scale.writer import Writer

    parties = list(Party.objects.filter(id__gt=since["party"]).order_by("id").values_list(*_PARTY_COLUMNS))
    dossiers = list(
        Dossier.objects.filter(id__gt=since["dossier"], organisation=organisation)
        .order_by("id")
        .values_list(*_DOSSIER_COLUMNS)
    )
    events = list(
        TimelineEvent.objects.filter(dossier_id__gt=since["dossier"], dossier__organisation=organisation)
        .order_by("id")
        .values_list(*_EVENT_COLUMNS)
    )
    writer = Writer()
    d_index = {name: i for i, name in enumerate(_DOSSIER_COLUMNS)}
    p_index = {name: i for i, name in enumerate(_PARTY_COLUMNS)}

    class Rollback(Exception):
        pass

    seconds = 0.0
    try:
        with transaction.atomic():
            party_ids = writer.allocate_ids(Party, len(parties))
            dossier_ids = writer.allocate_ids(Dossier, len(dossiers))
            new_dossier = {row[0]: new for row, new in zip(dossiers, dossier_ids, strict=True)}
            party_rows = []
            for new_id, row in zip(party_ids, parties, strict=True):
                row = list(row)
                row[p_index["id"]] = new_id
                row[p_index["identifier_hash"]] = f"copy{new_id:060d}"
                party_rows.append(tuple(row))
            dossier_rows = []
            for row in dossiers:
                row = list(row)
                new_id = new_dossier[row[0]]
                row[d_index["id"]] = new_id
                row[d_index["reference"]] = f"CP-{new_id}"
                row[d_index["external_id"]] = f"COPY-{new_id}"
                row[d_index["ogm"]] = None
                dossier_rows.append(tuple(row))
            event_rows = [(new_dossier[row[0]], *row[1:]) for row in events]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")  # as the bulk import's writer does
            began = time.perf_counter()
            writer._insert(Party, _PARTY_COLUMNS, party_rows)
            writer._insert(Dossier, _DOSSIER_COLUMNS, dossier_rows)
            writer._insert(TimelineEvent, _EVENT_COLUMNS, event_rows)
            if connection.vendor == "postgresql":
                # The foreign keys are checked at commit (Django makes them deferrable); the rollback
                # below would skip what a commit pays, so check them now, inside the timing.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - began
            raise Rollback
    except Rollback:
        pass
    return seconds, len(party_rows) + len(dossier_rows) + len(event_rows)


def seed_permits(*, organisation, municipalities, count: int) -> int:
    """``count`` active resident permits; about ``COVERED_SHARE`` of the retributions fall under one."""
    from django.db import transaction
    from django.utils import timezone

    from eloket.constants import DossierKind, DossierStatus, PartyKind
    from eloket.models import Dossier, Party, PermitScope
    from eloket.permits import permit_scope_rebuild
    from eloket.scale.writer import Writer

    existing = Dossier.objects.filter(organisation=organisation, kind=DossierKind.RESIDENT_PERMIT).count()
    if existing >= count:
        return existing
    party_id = Party.objects.filter(kind=PartyKind.PERSON).values_list("id", flat=True).first()
    retributions = Dossier.objects.filter(organisation=organisation, kind=DossierKind.PARKING_RETRIBUTION)
    total = retributions.count()
    covered = set(random.Random(7).sample(range(total), int(total * COVERED_SHARE))) if total else set()
    # Plates of covered retributions get a permit for their zone; the other permits go to other plates.
    sample = list(
        retributions.order_by("id").values_list("plate", "zone_code", "municipality_id")[: max(total, 1)]
    )
    targets = [sample[i] for i in sorted(covered)][: count - existing]
    rng = random.Random(11)
    while len(targets) < count - existing:
        targets.append(
            (f"9-P{rng.randrange(10**6):06d}", f"Z{rng.randrange(7)}", rng.choice(municipalities).pk)
        )
    now = timezone.now()
    writer = Writer()
    columns = (
        "id", "kind", "status", "reference", "external_id", "municipality_id", "organisation_id", "party_id",
        "language", "plate", "plate_normalised", "extra_plates", "street", "street_key", "house_number",
        "zone_code", "valid_from", "valid_until", "offence_code", "offence_description",
        "amount_original_cents", "costs_cents", "amount_paid_cents", "created_at", "updated_at",
    )  # fmt: skip
    from eloket.plates import plate_normalise

    for start in range(0, len(targets), 20_000):
        chunk = targets[start : start + 20_000]
        with transaction.atomic():
            ids = writer.allocate_ids(Dossier, len(chunk))
            rows = [
                (
                    pk,
                    DossierKind.RESIDENT_PERMIT,
                    DossierStatus.ACTIVE,
                    f"BK-B-{pk}",
                    f"PERMIT-{pk}",
                    municipality_id,
                    organisation.pk,
                    party_id,
                    "nl",
                    plate,
                    plate_normalise(plate),
                    [],
                    "",
                    "",
                    "",
                    zone,
                    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
                    "",
                    "",
                    0,
                    0,
                    0,
                    now,
                    now,
                )
                for pk, (plate, zone, municipality_id) in zip(ids, chunk, strict=True)
            ]
            writer.write((Dossier, columns, rows))
            permit_scope_rebuild(permit_ids=ids)
    writer.vacuum_analyse()
    return PermitScope.objects.filter(permit__organisation=organisation).count()


def run_cross_check() -> dict:
    """The full cross-check (find, cancel, timeline, outbox), and the same cancellation written by hand
    as one ``UPDATE … FROM`` join; each in a transaction that is rolled back, so both see the same
    data. Also times the bare ``SELECT`` join that only finds the matches."""
    from django.db import connection, transaction

    from eloket.constants import DossierKind, DossierStatus
    from eloket.permits import cancellable_statuses, permit_cross_check

    class Rollback(Exception):
        pass

    statuses = ", ".join(f"'{s}'" for s in cancellable_statuses())
    condition = f"""
        s.municipality_id = d.municipality_id AND s.plate_normalised = d.plate_normalised
        AND d.kind = '{DossierKind.PARKING_RETRIBUTION}' AND d.status IN ({statuses})
        AND d.occurred_at IS NOT NULL
        AND (s.valid_from IS NULL OR s.valid_from <= d.occurred_at)
        AND (s.valid_until IS NULL OR d.occurred_at <= s.valid_until)
        AND ((s.zone_code <> '' AND s.zone_code = d.zone_code)
             OR (s.street_key <> '' AND s.street_key = d.street_key))
    """
    by_hand = f"""
        UPDATE eloket_dossier d SET status = '{DossierStatus.CANCELLED_BY_PERMIT}', updated_at = now()
        FROM eloket_permitscope s WHERE {condition}
    """
    select = f"SELECT count(DISTINCT d.id) FROM eloket_dossier d JOIN eloket_permitscope s ON {condition}"
    result: dict = {}
    try:
        with transaction.atomic():
            began = time.perf_counter()
            result["cancelled"] = permit_cross_check().cancelled
            result["seconds"] = time.perf_counter() - began
            raise Rollback
    except Rollback:
        pass
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(by_hand)
            result["by_hand_seconds"] = time.perf_counter() - began
            result["by_hand"] = cursor.rowcount
            raise Rollback
    except Rollback:
        pass
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(select)
        result["select"] = cursor.fetchone()[0]
        result["select_seconds"] = time.perf_counter() - began
    return result


def main(*, dossiers: int, permits: int) -> bool:
    from django.db import connection

    from eloket.models import Dossier

    vendor = connection.vendor
    if vendor != "postgresql":
        print("bench ingest: note: the targets are for PostgreSQL (DATABASE_URL=postgres://…)")
    organisation, municipalities, token = setup()
    have = Dossier.objects.filter(organisation=organisation, kind="parking_retribution").count()
    ok = True
    if have < dossiers:
        run = run_bulk(organisation=organisation, token=token, total=dossiers - have)
        created, seconds, copy_seconds = run["created"], run["seconds"], run["copy_seconds"]
        rate, copy_rate = created / seconds, created / copy_seconds
        ratio = rate / copy_rate
        ok &= ratio >= BULK_TARGET
        print(
            f"bench bulk_import: {created} dossiers in {seconds:.1f} s = {rate:,.0f} dossiers/s; "
            f"a raw COPY of the same {run['copied']} rows (parties, dossiers, timeline events) "
            f"{copy_seconds:.1f} s = {copy_rate:,.0f} dossiers/s; ratio {ratio:.2f} (target ≥ {BULK_TARGET})"
        )
    else:
        print(f"bench bulk_import: skipped, {have} retributions already imported (use a fresh database)")
    scopes = seed_permits(organisation=organisation, municipalities=municipalities, count=permits)
    total = Dossier.objects.filter(kind="parking_retribution").count()
    check = run_cross_check()
    if not check["cancelled"] == check["by_hand"] == check["select"]:
        print(f"bench cross_check: FAILED: the cross-check and the hand-written SQL disagree: {check}")
        return False
    ratio = check["seconds"] / check["by_hand_seconds"]
    ok &= ratio <= CROSS_CHECK_TARGET
    print(
        f"bench cross_check: {total} retributions × {permits} permits ({scopes} scope rows): "
        f"{check['cancelled']} cancelled in {check['seconds']:.2f} s (with timeline, outbox and match "
        f"record); by hand, one UPDATE … FROM join: {check['by_hand_seconds']:.2f} s; ratio {ratio:.2f} "
        f"(target ≤ {CROSS_CHECK_TARGET}); the bare SELECT join: {check['select_seconds']:.2f} s"
    )
    return ok
