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

import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from wagtail.models import Page

from eloket.models import Dossier, Party
from eloket.scale.bulk import indexes_set_aside
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
SUBMISSIONS_PER_DOSSIER = 0.1  # and 1 million submissions


@dataclass(frozen=True)
class ScaleResult:
    dossiers: int
    parties: int
    timeline_events: int
    payments: int
    submissions: int
    municipalities: int
    organisations: int
    regulations: int
    bench_party_id: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.dossiers} dossiers, {self.parties} parties, {self.timeline_events} timeline events, "
            f"{self.payments} online payments, {self.submissions} submissions, "
            f"{self.municipalities} municipalities, {self.organisations} organisations, "
            f"{self.regulations} regulations in {self.seconds:.1f} s; "
            f"party {self.bench_party_id} has {BENCH_PARTY_DOSSIERS} dossiers"
        )


def seed_scale(
    *,
    dossiers: int,
    parties: int | None = None,
    submissions: int | None = None,
    bulk: bool | None = None,
    stdout=None,
    progress: bool = True,
    seed: int = 2024,
    now: dt.datetime | None = None,
) -> ScaleResult:
    """Add ``dossiers`` synthetic dossiers for ``parties`` new parties (default 0.3 per dossier), with
    ``submissions`` submissions about them (default 0.1 per dossier) and an online payment for about
    half of the paid ones.

    One new party gets exactly 50 dossiers, scattered over the run like anyone's; its id is in the
    result. Municipalities, organisations (with a payment account each) and regulations are created
    once and reused by later runs; parties and dossiers are added, so a second run doubles them.

    ``bulk`` (default: on PostgreSQL, outside a transaction, when the run at least doubles the
    dossiers) sets the loaded tables' indexes and constraints aside and rebuilds them after the load
    (``eloket.scale.bulk``): only for a database nobody else uses meanwhile.

    Side effects: commits every chunk, runs VACUUM ANALYZE on PostgreSQL (outside a transaction),
    queues nothing, sends nothing.
    """
    if parties is None:
        parties = 1 if dossiers == BENCH_PARTY_DOSSIERS else max(2, round(dossiers * PARTIES_PER_DOSSIER))
    if dossiers < BENCH_PARTY_DOSSIERS or parties < 1 or (dossiers > BENCH_PARTY_DOSSIERS and parties < 2):
        raise ValueError(
            f"seed_scale needs at least {BENCH_PARTY_DOSSIERS} dossiers and a party for the rest"
        )
    if submissions is None:
        submissions = round(dossiers * SUBMISSIONS_PER_DOSSIER)
    submissions = min(submissions, dossiers)  # one per dossier at most
    started = time.monotonic()
    now = now or timezone.now()
    postgres = connection.vendor == "postgresql" and not connection.in_atomic_block
    existing = Dossier.objects.count()
    if bulk is None:
        bulk = postgres and existing <= dossiers
    elif bulk and not postgres:
        raise ValueError("bulk loading needs PostgreSQL, outside a transaction")
    # A submission belongs to a (form) page; the benchmark database has only Wagtail's root.
    page_id = Page.objects.order_by("depth", "id").values_list("id", flat=True).first()
    if page_id is None and submissions:
        _say(stdout, "scale: no Wagtail page to file submissions under, so none are made")
        submissions = 0
    _say(
        stdout,
        f"scale: {dossiers} dossiers for {parties} parties, {submissions} submissions on {connection.vendor}"
        + (" (indexes rebuilt after the load)" if bulk else ""),
    )
    catalogue = Catalogue.ensure(municipalities=min(MAX_MUNICIPALITIES, max(3, dossiers // 2000)))
    writer = Writer()
    known_hashes = known_ogms = None
    context = contextlib.nullcontext()
    if bulk:  # without indexes a lookup per chunk scans the table: what was there before, in memory
        known_hashes = set(Party.objects.values_list("identifier_hash", flat=True))
        known_ogms = frozenset(Dossier.objects.values_list("ogm", flat=True))
        context = indexes_set_aside(loaded_tables(), progress=progress)
    with context:
        party_ids = create_parties(
            writer, count=parties, seed=seed, now=now, progress=progress, known=known_hashes
        )
        written = create_dossiers(
            catalogue,
            party_ids=party_ids,
            count=dossiers,
            seed=seed,
            now=now,
            progress=progress,
            submissions=submissions,
            page_id=page_id,
            known_ogms=known_ogms,
        )
    writer.vacuum_analyse()
    result = ScaleResult(
        dossiers=dossiers,
        parties=parties,
        timeline_events=written.timeline_events,
        payments=written.payments,
        submissions=written.submissions,
        municipalities=len(catalogue.municipalities),
        organisations=catalogue.organisation_count,
        regulations=catalogue.regulation_count,
        bench_party_id=party_ids[0],
        seconds=time.monotonic() - started,
    )
    logger.info("scale_seeded dossiers=%s parties=%s bench_party=%s", dossiers, parties, party_ids[0])
    _say(stdout, f"scale: {result}")
    return result


def loaded_tables() -> list[str]:
    """The tables a run writes to; with ``bulk`` their indexes and constraints are rebuilt afterwards."""
    from eloket.models import Payment, PaymentItem, TimelineEvent
    from forms.models import Submission

    return [m._meta.db_table for m in (Party, Dossier, TimelineEvent, Payment, PaymentItem, Submission)]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
