"""Synthetic data at scale for load tests and benchmarks (``seed_demo --scale N``, ``make bench``).

``seed_scale`` adds N dossiers of all six kinds, with their parties and timelines, and up to 285
synthetic municipalities with their handlers and regulations: COPY on PostgreSQL, large ``executemany``
batches on SQLite, one transaction per chunk of 20,000 rows.

It does not call ``eloket.services``: a service writes one dossier with its checks and queues
follow-ups (e-mails, webhooks), which at millions of rows is hours of work and mail for nobody. The rows
are built the way the services build them instead: the amount from the kind's policy and the regulation's
tariff, deadlines and costs from ``policy.apply_entry`` step by step along a status path the kind's
transition table allows, one timeline event per step. Nothing is queued. tests/eloket/test_scale.py
checks the result with ``full_clean``.

Deterministic: every chunk draws from ``random.Random`` seeded with ``seed`` and the chunk's place in
the run, so the same seed and N give the same dossiers (ids, references and OGMs follow the database).

Nobody in it is real: national numbers are generated from a counter (valid be.nn check digits) and
stored only as ``identifier_hash``, names come from short lists, IBANs use bank code 999 (no Belgian
bank), NIS codes start with 09 (no municipality has one), and no e-mail address is set.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from eloket.scale.catalogue import Catalogue
from eloket.scale.dossiers import create_dossiers, create_parties
from eloket.scale.synthetic import (
    BENCH_PARTY_DOSSIERS,
    synthetic_national_number,
    synthetic_plate,
    synthetic_reference,
)
from eloket.scale.writer import Writer

__all__ = [
    "BENCH_PARTY_DOSSIERS",
    "ScaleResult",
    "seed_scale",
    "synthetic_national_number",
    "synthetic_plate",
    "synthetic_reference",
]

logger = logging.getLogger(__name__)

MAX_MUNICIPALITIES = 285
PARTIES_PER_DOSSIER = 0.3  # 10 million dossiers for 3 million parties


@dataclass(frozen=True)
class ScaleResult:
    dossiers: int
    parties: int
    timeline_events: int
    municipalities: int
    organisations: int
    regulations: int
    bench_party_id: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.dossiers} dossiers, {self.parties} parties, {self.timeline_events} timeline events, "
            f"{self.municipalities} municipalities, {self.organisations} organisations, "
            f"{self.regulations} regulations in {self.seconds:.1f} s; "
            f"party {self.bench_party_id} has {BENCH_PARTY_DOSSIERS} dossiers"
        )


def seed_scale(
    *,
    dossiers: int,
    parties: int | None = None,
    stdout=None,
    progress: bool = True,
    seed: int = 2024,
    now: dt.datetime | None = None,
) -> ScaleResult:
    """Add ``dossiers`` synthetic dossiers for ``parties`` new parties (default 0.3 per dossier).

    One new party gets exactly 50 dossiers, scattered over the run like anyone's; its id is in the
    result. Municipalities, organisations and regulations are created once and reused by later runs;
    parties and dossiers are added, so a second run doubles them. Side effects: commits every chunk,
    runs VACUUM ANALYZE on PostgreSQL (outside a transaction), queues nothing, sends nothing.
    """
    if parties is None:
        parties = 1 if dossiers == BENCH_PARTY_DOSSIERS else max(2, round(dossiers * PARTIES_PER_DOSSIER))
    if dossiers < BENCH_PARTY_DOSSIERS or parties < 1 or (dossiers > BENCH_PARTY_DOSSIERS and parties < 2):
        raise ValueError(
            f"seed_scale needs at least {BENCH_PARTY_DOSSIERS} dossiers and a party for the rest"
        )
    started = time.monotonic()
    now = now or timezone.now()
    _say(stdout, f"scale: {dossiers} dossiers for {parties} parties on {connection.vendor}")
    catalogue = Catalogue.ensure(municipalities=min(MAX_MUNICIPALITIES, max(3, dossiers // 2000)))
    writer = Writer()
    party_ids = create_parties(writer, count=parties, seed=seed, now=now, progress=progress)
    events = create_dossiers(
        catalogue, party_ids=party_ids, count=dossiers, seed=seed, now=now, progress=progress
    )
    writer.vacuum_analyse()
    result = ScaleResult(
        dossiers=dossiers,
        parties=parties,
        timeline_events=events,
        municipalities=len(catalogue.municipalities),
        organisations=catalogue.organisation_count,
        regulations=catalogue.regulation_count,
        bench_party_id=party_ids[0],
        seconds=time.monotonic() - started,
    )
    logger.info("scale_seeded dossiers=%s parties=%s bench_party=%s", dossiers, parties, party_ids[0])
    _say(stdout, f"scale: {result}")
    return result


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
