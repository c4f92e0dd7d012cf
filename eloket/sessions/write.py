"""Sessions reported by a parking provider, written idempotently by (provider, provider session id):
``created``, ``updated`` (extended: a new end; stopped: the end set; or corrected) or ``unchanged``.

One writer for a single call (``session_upsert``, the PUT) and for the bulk NDJSON stream
(``SessionImporter``). Lines are validated by ``eloket.sessions.validate`` and written in batches,
one transaction each; when a batch fails on a conflict with a concurrent writer, its lines are
retried one by one, each in its own transaction, so one line never takes the others with it. After a
batch is written, in its transaction, ``eloket.sessions.cross_check.session_cross_check`` cancels
the retributions the new or changed sessions cover: a session that arrives late still counts.

A known session id whose plate or area differs from the stored one is an error (``session_conflict``)
and changes nothing: a provider's id names one parking of one car in one place. Overlapping sessions
of one plate in one area are accepted, with a warning (``overlap``): a driver may pay twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eloket import services
from eloket.ingest import LineError, _collector_paused, _error
from eloket.models import ImportRun, Organisation, Party
from eloket.models.parking import ParkingSession
from eloket.scale.writer import Writer
from eloket.sessions.cross_check import session_cross_check
from eloket.sessions.validate import MAX_DURATION, CleanSession, SessionContext, session_validate

logger = logging.getLogger(__name__)

# Written from the line on an update; the plate (normalised) and the area never change.
UPDATABLE = ("plate", "plate_country", "start_at", "end_at", "amount_paid_cents", "party_id")
# Every column of a new session, as the COPY writes it.
INSERTED = (
    "id", "provider_id", "provider_session_id", "municipality_id", "area_id", "area_code", "plate_normalised",
    "received_at", "updated_at", *UPDATABLE,
)  # fmt: skip


@dataclass
class SessionResult:
    line: int
    session_id: str | None
    status: str  # created | updated | unchanged | error
    errors: dict[str, list[dict]] | None = None
    warnings: dict[str, list[dict]] | None = None
    cancelled_by_session: int | None = None  # a single call: the retributions its session cancelled

    def as_dict(self) -> dict:
        result = {"line": self.line, "session_id": self.session_id, "status": self.status}
        if self.cancelled_by_session is not None:
            result["cancelled_by_session"] = self.cancelled_by_session
        if self.errors:
            result["errors"] = self.errors
        if self.warnings:
            result["warnings"] = self.warnings
        return result


class SessionImporter:
    """Feeds lines in batches; yields one ``SessionResult`` per line, in order. ``record=False`` keeps
    no ``ImportRun`` row (a single call): the counts are still kept on ``run``."""

    def __init__(
        self,
        *,
        provider: Organisation,
        source: str,
        api_key=None,
        batch_size: int = 1000,
        record: bool = True,
    ):
        self.provider = provider
        self.context = SessionContext(provider)
        self.batch_size = max(1, batch_size)
        self.record = record
        self.writer = Writer()
        run = ImportRun(organisation=provider, source=source, api_key=api_key)
        if record:
            run.save()
        self.run = run

    def feed(self, lines: Iterable[tuple[int, dict | LineError]]) -> Iterator[SessionResult]:
        pending: list[tuple[int, SessionResult | CleanSession]] = []
        batch: dict[str, CleanSession] = {}
        for number, item in lines:
            outcome = self._validate(number, item)
            if isinstance(outcome, CleanSession):
                if outcome.session_id in batch or len(batch) >= self.batch_size:
                    # The same session twice (started, then stopped): the first is written first.
                    yield from self._flush(pending, batch)
                    pending, batch = [], {}
                batch[outcome.session_id] = outcome
            pending.append((number, outcome))
        yield from self._flush(pending, batch)

    def finish(self) -> ImportRun:
        run = self.run
        run.finished_at = timezone.now()
        if self.record:
            run.save()
        logger.info(
            "session_import_finished run=%s provider=%s lines=%s created=%s updated=%s failed=%s "
            "cancelled_by_session=%s",
            run.pk,
            self.provider.pk,
            run.lines,
            run.created,
            run.updated,
            run.failed,
            run.cancelled_by_session,
        )
        return run

    def _validate(self, number: int, item) -> SessionResult | CleanSession:
        if isinstance(item, LineError):
            return SessionResult(number, None, "error", errors=item.errors)
        try:
            return session_validate(item, self.context, number)
        except LineError as error:
            session_id = item.get("session_id")
            return SessionResult(
                number, session_id if isinstance(session_id, str) else None, "error", errors=error.errors
            )

    def _flush(self, pending, batch: dict[str, CleanSession]) -> list[SessionResult]:
        # The cyclic collector paused while the batch is written (as the dossier import does): its full
        # collections over the process heap, set off by the batch's small objects, were a tenth of the
        # batch time at 10 M sessions (docs/performance.md).
        with _collector_paused():
            written = self._apply(list(batch.values())) if batch else {}
        results = [written[n] if isinstance(outcome, CleanSession) else outcome for n, outcome in pending]
        self._count(results)
        return results

    def _count(self, results: list[SessionResult]) -> None:
        run = self.run
        run.lines += len(results)
        for result in results:
            if result.status == "error":
                run.failed += 1
            else:
                setattr(run, result.status, getattr(run, result.status) + 1)

    def _apply(self, lines: list[CleanSession]) -> dict[int, SessionResult]:
        """Write a batch in one transaction; on a conflict with a concurrent writer, line by line."""
        try:
            with transaction.atomic():
                return self._write(lines)
        except IntegrityError:
            results: dict[int, SessionResult] = {}
            for line in lines:
                try:
                    with transaction.atomic():
                        results.update(self._write([line]))
                except IntegrityError:
                    message = _("Botsing met een gelijktijdige wijziging; stuur de regel opnieuw.")
                    results[line.line] = SessionResult(
                        line.line, line.session_id, "error", errors={"line": [_error("conflict", message)]}
                    )
            return results

    def _write(self, lines: list[CleanSession]) -> dict[int, SessionResult]:
        now = timezone.now()
        existing = {
            session.provider_session_id: session
            for session in ParkingSession.objects.select_for_update().filter(
                provider=self.provider, provider_session_id__in=[line.session_id for line in lines]
            )
        }
        parties = self._parties(lines)
        warnings = self._overlaps(lines)
        results: dict[int, SessionResult] = {}
        created: list[tuple[CleanSession, int | None]] = []  # a new session and its party
        updated: list[ParkingSession] = []
        for line in lines:
            # An update without the customer keeps the one known.
            party_id = parties[line.party_hash] if line.party_hash else None
            session = existing.get(line.session_id)
            if session is None:
                created.append((line, party_id))
                status = "created"
            elif session.plate_normalised != line.plate_normalised or session.area_id != line.area.pk:
                message = _(
                    "Deze sessie is al gemeld met een andere nummerplaat of zone; een sessie verandert "
                    "daar niet van. Meld een nieuwe sessie."
                )
                results[line.line] = SessionResult(
                    line.line,
                    line.session_id,
                    "error",
                    errors={"session_id": [_error("session_conflict", message)]},
                )
                continue
            elif changes := _changes(session, line, party_id):
                for name, value in changes.items():
                    setattr(session, name, value)
                session.updated_at = now
                updated.append(session)
                status = "updated"
            else:
                status = "unchanged"
            results[line.line] = SessionResult(
                line.line, line.session_id, status, warnings=warnings.get(line.line)
            )
        new_ids = self._insert(created, now) if created else []
        if updated:
            ParkingSession.objects.bulk_update(updated, [*UPDATABLE, "updated_at"])
        written = [*new_ids, *(session.pk for session in updated)]
        if written:
            check = session_cross_check(session_ids=written, at=now)
            self.run.cancelled_by_session += check.cancelled
        return results

    def _insert(self, created: list[tuple[CleanSession, int | None]], now) -> list[int]:
        """New sessions by COPY (``eloket.scale.writer``; executemany on SQLite), ids taken first, as
        the dossier ingest writes them; the rows straight from the validated lines: building a model
        instance per line only to read it back cost more than writing it (docs/performance.md)."""
        ids = self.writer.allocate_ids(ParkingSession, len(created))
        provider_id = self.provider.pk
        rows = [
            (
                pk,
                provider_id,
                line.session_id,
                line.area.municipality_id,
                line.area.pk,
                line.area.code,
                line.plate_normalised,
                now,
                now,
                line.plate,
                line.plate_country,
                line.start_at,
                line.end_at,
                line.amount_paid_cents,
                party_id,
            )
            for pk, (line, party_id) in zip(ids, created, strict=True)
        ]
        self.writer.write((ParkingSession, INSERTED, rows))
        return ids

    def _parties(self, lines: list[CleanSession]) -> dict[str, int]:
        """The customer's party by the keyed hash of their number: found, or created when new (as
        ``eloket.ingest`` does), so the session waits for them in their overview."""
        wanted = {line.party_hash: line for line in lines if line.party_hash}
        if not wanted:
            return {}
        found = dict(
            Party.objects.filter(identifier_hash__in=list(wanted)).values_list("identifier_hash", "id")
        )
        for digest, line in wanted.items():
            if digest not in found:
                party, _created = services.party_get_or_create(
                    identifier=line.identifier, display_name=line.identifier.masked
                )
                found[digest] = party.pk
        return found

    def _overlaps(self, lines: list[CleanSession]) -> dict[int, dict]:
        """Per line, a warning when another session of the same plate in the same area overlaps it:
        the stored ones (one range query on the plate index) and the other lines of the batch."""
        starts = [line.start_at for line in lines]
        stored = ParkingSession.objects.filter(
            municipality_id__in={line.area.municipality_id for line in lines},
            plate_normalised__in={line.plate_normalised for line in lines},
            area_id__in={line.area.pk for line in lines},
            start_at__gte=min(starts) - MAX_DURATION,
        )
        if all(line.end_at is not None for line in lines):
            stored = stored.filter(start_at__lt=max(line.end_at for line in lines))
        in_batch = {line.session_id for line in lines}
        stored = stored.exclude(Q(provider=self.provider) & Q(provider_session_id__in=in_batch))
        others: dict[tuple, list[tuple]] = defaultdict(list)  # (plate, area) → (provider, id, start, end)
        # Tuples, not model instances: a batch's plates may have thousands of stored sessions.
        for provider_id, session_id, plate, area_id, start, end in stored.values_list(
            "provider_id", "provider_session_id", "plate_normalised", "area_id", "start_at", "end_at"
        ):
            others[plate, area_id].append((provider_id, session_id, start, end))
        for line in lines:
            others[line.plate_normalised, line.area.pk].append(
                (self.provider.pk, line.session_id, line.start_at, line.end_at)
            )
        # The messages once per batch, not per warning: a batch of one provider's sessions may overlap
        # itself thousands of times (each a lookup in the translation catalogue).
        own_message = _("Overlapt met sessie %(id)s van dezelfde nummerplaat in deze zone.")
        # Another provider's session id is not this provider's to know.
        other_message = _(
            "Overlapt met een sessie van een andere aanbieder voor dezelfde nummerplaat in deze zone."
        )
        own = self.provider.pk
        warnings: dict[int, dict] = {}
        for line in lines:
            group = others[line.plate_normalised, line.area.pk]
            if len(group) < 2:  # only the line itself
                continue
            for provider_id, session_id, start, end in group:
                if (provider_id == own and session_id == line.session_id) or not _overlap(
                    line.start_at, line.end_at, start, end
                ):
                    continue
                message = own_message % {"id": session_id} if provider_id == own else other_message
                warnings.setdefault(line.line, {}).setdefault("start", []).append(_error("overlap", message))
        return warnings


def _changes(session: ParkingSession, line: CleanSession, party_id: int | None) -> dict:
    """What the line changes of a known session (``UPDATABLE``); the party only when given."""
    values = {
        "plate": line.plate,
        "plate_country": line.plate_country,
        "start_at": line.start_at,
        "end_at": line.end_at,
        "amount_paid_cents": line.amount_paid_cents,
    }
    if party_id is not None:
        values["party_id"] = party_id
    return {name: value for name, value in values.items() if getattr(session, name) != value}


def _overlap(start_a, end_a, start_b, end_b) -> bool:
    """Two sessions overlap when each starts before the other ends (an open one has not ended)."""
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


def session_upsert(*, provider: Organisation, data: dict, api_key=None) -> SessionResult:
    """One session by the provider's session id: created, updated or unchanged (idempotent).
    Retributions it covers are cancelled in the same transaction (``session_cross_check``)."""
    importer = SessionImporter(
        provider=provider, source=ImportRun.Source.API, api_key=api_key, batch_size=1, record=False
    )
    [result] = list(importer.feed([(1, data)]))
    run = importer.finish()
    if result.status != "error":
        result.cancelled_by_session = run.cancelled_by_session
    return result
