"""The data set of ``python -m bench --only sessions`` (``bench.sessions``), written fast with COPY
(``eloket.scale.writer.Writer``; ``executemany`` on SQLite), deterministic per seed.

* ``MUNICIPALITIES`` synthetic municipalities (NIS 97xxx), each with ``AREAS`` parking areas of the
  bench city organisation, three streets each (``ParkingAreaStreet``), and its retribution regulation
  with ``GRACE_MINUTES`` of grace (from the data, as in production: the code reads the regulation).
* A parking provider serving them, and ``sessions`` sessions over ``SPAN`` from ``BASE``: one plate
  for every ``SESSIONS_PER_PLATE`` sessions, each plate parking in one municipality, in any of its
  areas, for 15 minutes to 8 hours (0.5% still running). Provider session ids ``GEN-…``.
* ``retributions`` parking retributions (status ``notified``), each on the plate, municipality and
  area (its zone code, or for one in ten one of its streets) of a randomly drawn session. A share of
  ``COVERED_SHARE`` is observed inside that session or its grace (external id ``BSR-C-…``); the
  others a day or more before ``BASE``, when no session of the plate exists (``BSR-U-…``): so exactly
  the ``BSR-C-`` ones are covered, which the benchmark checks the cross-check against.

With more rows to add than the sessions table holds (and at least ``SET_ASIDE_FROM``), its indexes
and foreign keys are set aside while it loads (``eloket.scale.bulk.indexes_set_aside``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import sys
import time

from django.db import transaction
from django.utils import timezone

ORGANISATION = "bench-sessions"
PROVIDER = "bench-sessions-provider"
REGULATION = "BENCH-SES"
MUNICIPALITIES = 20
AREAS = 8
STREETS_PER_AREA = 3
GRACE_MINUTES = 10
SESSIONS_PER_PLATE = 5
COVERED_SHARE = 0.05
STREET_SHARE = 0.1
PARTIES = 1000
BASE = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)
SPAN_MINUTES = 120 * 24 * 60
CHUNK = 100_000
SET_ASIDE_FROM = 1_000_000

SESSION_COLUMNS = (
    "id", "provider_id", "provider_session_id", "municipality_id", "area_id", "area_code", "plate",
    "plate_normalised", "plate_country", "start_at", "end_at", "amount_paid_cents", "party_id",
    "received_at", "updated_at",
)  # fmt: skip
DOSSIER_COLUMNS = (
    "id", "kind", "status", "reference", "external_id", "municipality_id", "organisation_id", "party_id",
    "regulation_id", "language", "plate", "plate_normalised", "extra_plates", "street", "street_key",
    "house_number", "zone_code", "occurred_at", "offence_code", "offence_description",
    "amount_original_cents", "costs_cents", "amount_paid_cents", "created_at", "updated_at",
)  # fmt: skip


def nis(index: int) -> str:
    return f"{97000 + index:05d}"


def plate(index: int, prefix: str = "2-S") -> str:
    """A synthetic plate (``2-S0000042``; ingested sessions use ``3-N``): no real plate looks like it."""
    return f"{prefix}{index:07d}"


def street_name(municipality: int, area: int, street: int) -> str:
    return f"Benchstraat {municipality}-{area}-{street}"


def setup(*, parties: int = PARTIES) -> dict:
    """Municipalities, areas, the city organisation, its regulation, the provider and their API keys
    (the city's key with an unlimited rights-check rate), and ``parties`` parties. Idempotent."""
    from bench.ingest import national_numbers
    from eloket import services
    from eloket.constants import DossierKind, OrganisationKind
    from eloket.identifiers import parse_national_number
    from eloket.models import ApiKey, ApiScope, Municipality, Organisation, Regulation
    from eloket.models.parking import ParkingArea, ParkingAreaStreet
    from eloket.places import street_key

    municipalities = []
    for i in range(MUNICIPALITIES):
        municipality, _ = Municipality.objects.get_or_create(
            nis_code=nis(i), defaults={"slug": f"bench-sessions-{i}", "name_nl": f"Bench sessies {i}"}
        )
        municipalities.append(municipality)
    organisation, _ = Organisation.objects.get_or_create(
        slug=ORGANISATION,
        defaults={
            "kind": OrganisationKind.PARKING_COMPANY,
            "name_nl": "Bench Parkeerbedrijf",
            "iban": "BE21001234567803",
            "account_holder": "Bench Parkeerbedrijf",
            "email": "bench-sessions@example.be",
        },
    )
    organisation.municipalities.add(*municipalities)
    provider, _ = Organisation.objects.get_or_create(
        slug=PROVIDER,
        defaults={"kind": OrganisationKind.PARKING_PROVIDER, "name_nl": "Bench Mobiel Parkeren"},
    )
    provider.municipalities.add(*municipalities)
    regulation, _ = Regulation.objects.get_or_create(
        organisation=organisation,
        code=REGULATION,
        defaults={
            "kind": DossierKind.PARKING_RETRIBUTION,
            "title": "Bench sessies",
            "valid_from": dt.date(2024, 1, 1),
            "tariff": {"forfait": 3500},
            "session_grace_minutes": GRACE_MINUTES,
        },
    )
    areas: dict[int, list[tuple[int, str, list[str]]]] = {}  # municipality id → (area id, code, streets)
    for i, municipality in enumerate(municipalities):
        for j in range(AREAS):
            streets = [street_name(i, j, k) for k in range(STREETS_PER_AREA)]
            area, created = ParkingArea.objects.get_or_create(
                municipality=municipality,
                code=f"BS-Z{j}",
                defaults={"organisation": organisation, "name_nl": f"Zone {j}", "streets": streets},
            )
            if created:
                ParkingAreaStreet.objects.bulk_create(
                    [ParkingAreaStreet(area=area, street_key=street_key(s)) for s in streets]
                )
            areas.setdefault(municipality.pk, []).append((area.pk, area.code, streets))
    keys = {}
    for name, owner, scopes in (
        ("bench-city", organisation, [ApiScope.RIGHTS_CHECK.value]),
        ("bench-provider", provider, [ApiScope.SESSIONS_WRITE.value]),
    ):
        prefix, secret, token = ApiKey.new_token()
        ApiKey.objects.create(
            organisation=owner,
            name=name,
            prefix=prefix,
            secret_hash=ApiKey.hash_secret(secret),
            scopes=scopes,
            rights_check_per_minute=2**31 - 1,  # the benchmark times the check, not the limiter
        )
        keys[name] = token
    numbers = national_numbers(parties)
    party_ids = [
        services.party_get_or_create(
            identifier=(identifier := parse_national_number(number)), display_name=identifier.masked
        )[0].pk
        for number in numbers
    ]
    return {
        "organisation": organisation,
        "provider": provider,
        "regulation": regulation,
        "municipalities": municipalities,
        "areas": areas,
        "keys": keys,
        "parties": party_ids,
        "numbers": numbers,
    }


def ensure_sessions(*, ctx: dict, count: int) -> str:
    """At least ``count`` generated sessions; returns how (reused, or generated in so many seconds)."""
    from eloket.models.parking import ParkingSession
    from eloket.scale.bulk import indexes_set_aside
    from eloket.scale.writer import Writer

    have = ParkingSession.objects.filter(
        provider=ctx["provider"], provider_session_id__startswith="GEN-"
    ).count()
    if have >= count:
        return f"reused {have}"
    began = time.monotonic()
    writer = Writer()
    total = ParkingSession.objects.count()
    set_aside = writer.postgres and count - have >= max(total, SET_ASIDE_FROM)
    plates = max(count // SESSIONS_PER_PLATE, 1)
    municipality_ids = [m.pk for m in ctx["municipalities"]]
    with indexes_set_aside(["eloket_parkingsession"]) if set_aside else contextlib.nullcontext():
        for start in range(have, count, CHUNK):
            size = min(CHUNK, count - start)
            rng = random.Random(f"sessions-{start}")
            now = timezone.now()
            with transaction.atomic():
                ids = writer.allocate_ids(ParkingSession, size)
                rows = []
                for offset, pk in enumerate(ids):
                    p = rng.randrange(plates)
                    municipality_id = municipality_ids[p % len(municipality_ids)]
                    area_id, code, _streets = rng.choice(ctx["areas"][municipality_id])
                    begins = BASE + dt.timedelta(minutes=rng.randrange(SPAN_MINUTES))
                    ends = (
                        None
                        if rng.random() < 0.005
                        else begins + dt.timedelta(minutes=rng.randrange(15, 480))
                    )
                    value = plate(p)
                    rows.append(
                        (pk, ctx["provider"].pk, f"GEN-{start + offset:09d}", municipality_id, area_id, code,
                         value, value.replace("-", ""), "BE", begins, ends, rng.randrange(50, 2000), None,
                         now, now)
                    )  # fmt: skip
                writer.write((ParkingSession, SESSION_COLUMNS, rows))
            _progress(f"sessions {start + size:,}/{count:,}")
    writer.vacuum_analyse(tables=["eloket_parkingsession", "eloket_parkingarea", "eloket_parkingareastreet"])
    return f"generated {count - have} in {time.monotonic() - began:.0f} s"


def ensure_retributions(*, ctx: dict, count: int) -> str:
    """At least ``count`` bench retributions, ``COVERED_SHARE`` of them covered (see the module)."""
    from eloket.constants import DossierKind, DossierStatus
    from eloket.models import Dossier
    from eloket.models.parking import ParkingSession
    from eloket.places import street_key
    from eloket.scale.writer import Writer

    mine = Dossier.objects.filter(organisation=ctx["organisation"], kind=DossierKind.PARKING_RETRIBUTION)
    have = mine.count()
    if have >= count:
        return f"reused {have}"
    began = time.monotonic()
    writer = Writer()
    generated = ParkingSession.objects.filter(
        provider=ctx["provider"], provider_session_id__startswith="GEN-"
    )
    first = generated.order_by("id").values_list("id", flat=True).first()
    last = generated.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(f"retributions-{have}")
    session_ids = [rng.randint(first, last) for _ in range(count - have)]
    streets = {area_id: names for areas in ctx["areas"].values() for area_id, _code, names in areas}
    columns = ("id", "municipality_id", "area_id", "area_code", "plate", "start_at", "end_at")
    for start in range(0, len(session_ids), 20_000):
        wanted = session_ids[start : start + 20_000]
        found = {row[0]: row for row in writer.select(ParkingSession, columns, "id", sorted(set(wanted)))}
        now = timezone.now()
        with transaction.atomic():
            ids = writer.allocate_ids(Dossier, len(wanted))
            rows = []
            for pk, session_id in zip(ids, wanted, strict=True):
                _id, municipality_id, area_id, code, value, begins, ends = found[session_id]
                begins, ends = _aware(begins), _aware(ends)
                covered = rng.random() < COVERED_SHARE
                if covered:  # inside the session, or in the grace after its end
                    last_minute = (
                        (ends - begins).total_seconds() // 60 + GRACE_MINUTES - 1 if ends else 24 * 60
                    )
                    occurred = begins + dt.timedelta(minutes=rng.randint(0, int(last_minute)))
                else:  # before any session of the plate
                    occurred = BASE - dt.timedelta(days=1, minutes=rng.randrange(30 * 24 * 60))
                street, zone = "", code
                if rng.random() < STREET_SHARE:
                    street, zone = rng.choice(streets[area_id]), ""
                rows.append(
                    (pk, DossierKind.PARKING_RETRIBUTION, DossierStatus.NOTIFIED, f"BS-{pk}",
                     f"BSR-{'C' if covered else 'U'}-{pk}", municipality_id, ctx["organisation"].pk,
                     ctx["parties"][pk % len(ctx["parties"])], ctx["regulation"].pk, "nl", value,
                     value.replace("-", ""), [], street, street_key(street), "", zone, occurred, "", "",
                     3500, 0, 0, now, now)
                )  # fmt: skip
            writer.write((Dossier, DOSSIER_COLUMNS, rows))
        _progress(f"retributions {have + start + len(wanted):,}/{count:,}")
    writer.vacuum_analyse(tables=["eloket_dossier"])
    return f"generated {count - have} in {time.monotonic() - began:.0f} s"


def ingest_lines(*, start: int, count: int, ctx: dict) -> bytes:
    """NDJSON for the bulk API: new plates (``3-N…``, so they cover no retribution: the cross-check of
    each batch still runs, and finds nothing), one customer in ten from the known parties."""
    import json

    rng = random.Random(f"ingest-{start}")
    municipalities = ctx["municipalities"]
    numbers = ctx["numbers"]
    out = []
    for i in range(start, start + count):
        municipality = municipalities[i % len(municipalities)]
        _area_id, code, _streets = rng.choice(ctx["areas"][municipality.pk])
        begins = BASE + dt.timedelta(minutes=rng.randrange(SPAN_MINUTES))
        line = {
            "session_id": f"BULK-{i:09d}",
            "plate": plate(i // SESSIONS_PER_PLATE, "3-N"),
            "municipality": municipality.nis_code,
            "area": code,
            "start": begins.isoformat(),
            "end": (begins + dt.timedelta(minutes=rng.randrange(15, 480))).isoformat(),
            "amount_paid_cents": rng.randrange(50, 2000),
        }
        if i % 10 == 0:
            line["customer_national_number"] = numbers[i % len(numbers)]
        out.append(json.dumps(line))
    return ("\n".join(out) + "\n").encode()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A raw SQLite cursor gives naive datetimes, in UTC as Django stores them."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _progress(text: str) -> None:
    """On a terminal only: a log of a bench run keeps its result lines."""
    if sys.stdout.isatty():
        print(f"bench sessions: {text}", flush=True)
