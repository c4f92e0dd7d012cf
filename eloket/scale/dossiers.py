"""Parties and dossiers with their timelines, chunk by chunk; on PostgreSQL in worker processes."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import operator
import os
import random
from array import array
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from tqdm import tqdm

from eloket.constants import DossierKind as K
from eloket.constants import DossierStatus as S
from eloket.constants import PartyKind, TimelineEventKind
from eloket.identifiers import Identifier
from eloket.models import Dossier, Party, Regulation, TimelineEvent
from eloket.plates import plate_normalise
from eloket.policies import policy_for
from eloket.scale import activity
from eloket.scale.catalogue import Catalogue
from eloket.scale.synthetic import (
    BENCH_PARTY_DOSSIERS,
    FIRST_NAMES,
    KIND_WEIGHTS,
    LANGUAGES,
    LAST_NAMES,
    OGM_FIRST,
    PATHS,
    PERMIT_DAYS,
    RECENT,
    SPAN,
    STREETS,
    ogm_from_int,
    pick,
    synthetic_national_number,
    synthetic_plate,
    synthetic_reference,
)
from eloket.scale.writer import Writer

CHUNK = 20_000
WORKERS = os.cpu_count() or 1
DOSSIER_COLUMNS = tuple(f.attname for f in Dossier._meta.concrete_fields)
PARTY_COLUMNS = ("id", "kind", "identifier_hash", "identifier_masked", "establishment_unit", "display_name",
                 "email", "email_verified", "language", "created_at")  # fmt: skip
TIMELINE_COLUMNS = ("dossier_id", "kind", "status_from", "status_to", "occurred_at", "actor_label", "note",
                    "data")  # fmt: skip


def create_parties(
    writer: Writer, *, count: int, seed: int, now: dt.datetime, progress: bool, known: set | None = None
) -> array:
    """New persons with synthetic national numbers; a number whose hash is already stored is skipped.
    ``known``: the hashes stored before the run, when the table's indexes are set aside (``bulk``) and
    a lookup per chunk would scan it; numbers made in the run are unique by construction."""
    ids = array("q")
    counter = Party.objects.count()
    with tqdm(total=count, desc="parties", unit=" parties", unit_scale=True, disable=not progress) as bar:
        while len(ids) < count:
            size = min(CHUNK, count - len(ids))
            identifiers = {}
            while len(identifiers) < size:
                numbers = [
                    synthetic_national_number(c) for c in range(counter, counter + size - len(identifiers))
                ]
                counter += len(numbers)
                candidates = {
                    i.hashed: i for i in (Identifier(kind=PartyKind.PERSON, digits=n) for n in numbers)
                }
                if known is None:
                    taken = writer.existing(Party, "identifier_hash", list(candidates))
                else:
                    taken = known.intersection(candidates)
                identifiers.update((h, i) for h, i in candidates.items() if h not in taken)
            with transaction.atomic():
                new_ids = writer.allocate_ids(Party, size)
                rng = random.Random(f"{seed}:parties:{len(ids)}")
                languages = rng.choices(list(LANGUAGES), cum_weights=(90, 98, 99, 100), k=size)
                rows = [
                    (party_id, PartyKind.PERSON, hashed, identifier.masked, "", _name(rng), "", False,
                     language, now - SPAN * rng.random())
                    for party_id, (hashed, identifier), language in zip(
                        new_ids, identifiers.items(), languages, strict=True
                    )
                ]  # fmt: skip
                writer.write((Party, PARTY_COLUMNS, rows))
            ids.extend(new_ids)
            bar.update(size)
    return ids


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


@dataclass(frozen=True)
class Plan:
    """What every chunk of dossiers needs, so that chunks can be written in any order, by any process."""

    catalogue: Catalogue
    party_ids: array
    bench_positions: frozenset[int]
    count: int
    seed: int
    now: dt.datetime
    submissions: int = 0
    page_id: int | None = None
    known_ogms: frozenset[str] | None = None  # the OGMs stored before the run, when indexes are set aside

    def submission_count(self, start: int, size: int) -> int:
        """This chunk's share of the run's submissions: the shares add up to exactly ``submissions``."""
        return self.submissions * (start + size) // self.count - self.submissions * start // self.count

    def parties(self, rng: random.Random, start: int, size: int) -> list[int]:
        """The party of each dossier in the chunk: the first party at its 50 places; every other party
        once, in order; then the rest skewed (a few parties with hundreds, most with one to three)."""
        bench_before = sum(1 for p in self.bench_positions if p < start)
        others = len(self.party_ids) - 1
        result = []
        for position in range(start, start + size):
            if position in self.bench_positions:
                result.append(self.party_ids[0])
                bench_before += 1
            elif position - bench_before < others:
                result.append(self.party_ids[1 + position - bench_before])
            else:
                result.append(self.party_ids[1 + int(others * rng.random() ** 1.5)])
        return result


@dataclass
class Written:
    dossiers: int = 0
    timeline_events: int = 0
    payments: int = 0
    submissions: int = 0

    def add(self, other: Written) -> None:
        self.dossiers += other.dossiers
        self.timeline_events += other.timeline_events
        self.payments += other.payments
        self.submissions += other.submissions


def create_dossiers(
    catalogue: Catalogue,
    *,
    party_ids,
    count,
    seed,
    now,
    progress,
    submissions: int = 0,
    page_id: int | None = None,
    known_ogms: frozenset[str] | None = None,
) -> Written:
    """Chunks of dossiers with their timelines. On PostgreSQL (outside a transaction) worker processes
    write chunks side by side, each on its own connection, so that both cores work: one process would
    leave the database idle while it builds rows and itself idle while the database indexes them.
    (Threads do not help: the GIL makes building rows and COPY's row formatting take turns.)"""
    rng = random.Random(f"{seed}:plan:{count}")
    plan = Plan(
        catalogue,
        party_ids,
        frozenset(rng.sample(range(count), BENCH_PARTY_DOSSIERS)),
        count,
        seed,
        now,
        submissions=submissions,
        page_id=page_id,
        known_ogms=known_ogms,
    )
    starts = range(0, count, CHUNK)
    workers = min(WORKERS, len(starts)) if connection.vendor == "postgresql" else 1
    total = Written()
    with tqdm(total=count, desc="dossiers", unit=" dossiers", unit_scale=True, disable=not progress) as bar:
        if workers > 1 and not connection.in_atomic_block:
            connections.close_all()  # a forked worker must open its own connection, not share this one
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                workers, mp_context=context, initializer=_adopt, initargs=(plan,)
            ) as pool:
                for written in pool.map(_write_adopted_chunk, starts):
                    total.add(written)
                    bar.update(written.dossiers)
        else:
            for start in starts:
                written = _write_chunk(plan, start)
                total.add(written)
                bar.update(written.dossiers)
    return total


_adopted: Plan | None = None


def _adopt(plan: Plan) -> None:
    """In a worker process: the plan, inherited through fork rather than pickled for every chunk."""
    global _adopted
    _adopted = plan


def _write_adopted_chunk(start: int) -> Written:
    return _write_chunk(_adopted, start)


def _write_chunk(plan: Plan, start: int) -> Written:
    """Dossiers ``start`` to ``start + CHUNK`` of the run with their timelines, the online payments of
    the paid ones and the chunk's share of submissions, in one transaction."""
    size = min(CHUNK, plan.count - start)
    writer = Writer()
    rng = random.Random(f"{plan.seed}:dossiers:{start}")
    factory = DossierFactory(rng, plan.catalogue, plan.now)
    parties = plan.parties(rng, start, size)
    dossiers, timeline = [], []
    with transaction.atomic():
        ids = writer.allocate_ids(Dossier, size)
        for position, (dossier_id, party_id) in enumerate(zip(ids, parties, strict=True), start=start):
            created = plan.now - SPAN * (1 - (position + rng.random()) / plan.count)
            dossiers.append(factory.dossier(dossier_id, party_id, created, timeline))
        _make_ogms_unique(writer, dossiers, plan.known_ogms)
        accounts = plan.catalogue.accounts
        paid = activity.online_candidates(rng, dossiers, accounts)
        payment_ids = writer.allocate_ids(activity.Payment, len(paid)) if paid else []
        payments, items = activity.online_payments(rng, paid, factory.paid_at, accounts, payment_ids)
        wanted = plan.submission_count(start, size)
        submissions = (
            activity.submissions(rng, dossiers, factory.paths_taken, wanted, plan.page_id, plan.now)
            if wanted
            else []
        )
        writer.write(
            (Dossier, DOSSIER_COLUMNS, map(operator.attrgetter(*DOSSIER_COLUMNS), dossiers)),
            (TimelineEvent, TIMELINE_COLUMNS, timeline),
            (activity.Payment, activity.PAYMENT_COLUMNS, payments),
            (activity.PaymentItem, activity.PAYMENT_ITEM_COLUMNS, items),
            (activity.Submission, activity.SUBMISSION_COLUMNS, submissions),
        )
    return Written(size, len(timeline), len(payments), len(submissions))


def _make_ogms_unique(writer: Writer, dossiers: list[Dossier], known: frozenset[str] | None) -> None:
    """An OGM made elsewhere (``ogm_random``) may equal a synthetic one: that dossier then gets one
    below OGM_FIRST made from its own id, where no other synthetic OGM can be. ``known``: the OGMs
    stored before the run, when the table's indexes are set aside (``bulk``)."""

    def existing(ogms: list[str]) -> set[str]:
        return writer.existing(Dossier, "ogm", ogms) if known is None else known.intersection(ogms)

    taken = existing([d.ogm for d in dossiers])
    for dossier in [d for d in dossiers if d.ogm in taken]:
        for step in range(1, OGM_FIRST // 10**9 + 1):
            dossier.ogm = ogm_from_int(OGM_FIRST - step * 10**9 + dossier.pk % 10**9)
            if not existing([dossier.ogm]):
                break
        else:
            raise RuntimeError(f"no free OGM for dossier {dossier.pk}")


class DossierFactory:
    """One dossier and its timeline from ``rng``: the facts, the amount, then a status path step by step."""

    kinds = list(KIND_WEIGHTS)
    kind_cum_weights = list(itertools.accumulate(KIND_WEIGHTS.values()))
    languages = list(LANGUAGES)
    language_cum_weights = list(itertools.accumulate(LANGUAGES.values()))
    paths = {
        (kind, group): ([tuple(p.split(">")) if p else () for p in w], list(itertools.accumulate(w.values())))
        for kind, groups in PATHS.items()
        for group, w in groups.items()
    }

    def __init__(self, rng: random.Random, catalogue: Catalogue, now: dt.datetime):
        self.rng, self.catalogue, self.now = rng, catalogue, now
        self.municipality_indexes = range(len(catalogue.municipalities))
        self.tz = timezone.get_current_timezone()
        self.defaults = {k: v for k, v in Dossier().__dict__.items() if k != "_state"}
        self.paths_taken: dict[int, tuple[str, ...]] = {}  # dossier id -> the statuses it went through
        self.paid_at: dict[int, dt.datetime] = {}  # dossier id -> when it was paid

    def dossier(self, dossier_id: int, party_id: int, created: dt.datetime, timeline: list) -> Dossier:
        rng = self.rng
        m = pick(rng, self.municipality_indexes, self.catalogue.cum_weights)
        kind = pick(rng, self.kinds, self.kind_cum_weights)
        handler = self.catalogue.handlers[(m, kind)]
        policy = policy_for(kind)
        plate = synthetic_plate(party_id, rng.random() < 0.2)
        dossier = self._new(
            handler.regulation,
            id=dossier_id,
            kind=kind,
            status=policy.initial_status,
            reference=synthetic_reference(kind=kind, year=created.year, dossier_id=dossier_id),
            external_id=f"SCALE-{dossier_id:012d}",
            municipality_id=self.catalogue.municipalities[m].pk,
            organisation_id=handler.organisation_id,
            party_id=party_id,
            language=pick(rng, self.languages, self.language_cum_weights),
            plate=plate,
            plate_normalised=plate_normalise(plate),
            extra_plates=[],
            street=rng.choice(STREETS),
            house_number=str(rng.randint(1, 250)),
            ogm=ogm_from_int(OGM_FIRST + dossier_id),
            created_at=created,
            updated_at=created,
        )
        facts = self._permit_facts if kind in PERMIT_DAYS else self._offence_facts
        group = facts(dossier, m, created)
        dossier.amount_original_cents = policy.compute_amount_cents(dossier) or 0
        paths, cum_weights = self.paths[(kind, group)]
        path = pick(rng, paths, cum_weights)
        self.paths_taken[dossier_id] = path
        self._walk(dossier, policy, path, handler.organisation_name, timeline)
        return dossier

    def _new(self, regulation: Regulation, **values) -> Dossier:
        """A Dossier without ``Model.__init__``, whose per-field work would double the generation time."""
        dossier = Dossier.__new__(Dossier)
        dossier.__dict__.update(self.defaults, _state=ModelState(), regulation_id=regulation.pk, **values)
        Dossier.regulation.field.set_cached_value(dossier, regulation)
        return dossier

    def _offence_facts(self, dossier: Dossier, m: int, created: dt.datetime) -> str:
        rng = self.rng
        lat, lon = self.catalogue.centres[m]
        dossier.latitude = f"{lat + rng.uniform(-0.02, 0.02):.6f}"
        dossier.longitude = f"{lon + rng.uniform(-0.03, 0.03):.6f}"
        dossier.occurred_at = created - dt.timedelta(minutes=rng.randint(10, 3 * 24 * 60))
        if dossier.kind == K.PARKING_RETRIBUTION:
            dossier.zone_code = rng.choice(("Z1", "Z2", "Z3", "ROOD", "BLAUW", "GROEN"))
            dossier.offence_description = "Parkeren zonder geldig ticket of parkeerschijf"
        elif dossier.kind == K.GAS4:
            dossier.gas_category = 1 if rng.random() < 0.8 else 2
            dossier.offence_code = f"GAS4-CAT{dossier.gas_category}"
            dossier.offence_description = ("Parkeren waar een verbod geldt", "Parkeren op het fietspad")[
                dossier.gas_category - 1
            ]
        else:
            dossier.speed_limit_kmh = rng.choice((30, 50))
            dossier.measured_speed_kmh = dossier.speed_limit_kmh + rng.randint(1, 20)
            dossier.built_up_area = rng.random() < 0.8
            dossier.offence_code = "GAS5"
            dossier.offence_description = "Beperkte snelheidsovertreding"
        return "recent" if self.now - created < RECENT else "old"

    def _permit_facts(self, dossier: Dossier, m: int, created: dt.datetime) -> str:
        rng = self.rng
        dossier.valid_from = created + dt.timedelta(days=rng.randint(0, 14))
        dossier.valid_until = dossier.valid_from + dt.timedelta(days=rng.choice(PERMIT_DAYS[dossier.kind]))
        if dossier.kind == K.IOD_PERMIT:
            dossier.street = f"{dossier.street} {dossier.house_number}"
        else:
            dossier.zone_code = rng.choice(("Z1", "Z2", "Z3", "CENTRUM", "NOORD", "ZUID"))
        if dossier.valid_until < self.now:
            return "expired"
        return "recent" if self.now - created < dt.timedelta(days=14) else "old"

    def _walk(self, dossier: Dossier, policy, path: tuple[str, ...], actor: str, timeline: list) -> None:
        """The issued event, then each step as ``dossier_transition`` applies it, spread over time."""
        created = dossier.created_at
        timeline.append((dossier.pk, TimelineEventKind.ISSUED, "", dossier.status, created, actor, "", {}))
        end = min(self.now, created + dt.timedelta(days=150))
        for step, status in enumerate(path, start=1):
            at = created + (end - created) * step / (len(path) + 1)
            data = {}
            if status == S.PAID:  # as dossier_register_payment: the amount due, then the transition
                data["amount_cents"] = (
                    dossier.amount_original_cents + dossier.costs_cents - dossier.amount_paid_cents
                )
                dossier.amount_paid_cents += data["amount_cents"]
                self.paid_at[dossier.pk] = at
            policy.apply_entry(dossier, status, at.astimezone(self.tz).date())
            if status == S.ACTIVE and self.rng.random() < 0.9:  # most permit holders pay when it is granted
                dossier.amount_paid_cents = dossier.amount_original_cents
            event = policy.event_for(dossier.status, status)
            timeline.append((dossier.pk, event, dossier.status, status, at, actor, "", data))
            dossier.status = status
            dossier.updated_at = at
