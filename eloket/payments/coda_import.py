"""Bank transfers: import an organisation's CODA file, match credits to dossiers by their OGM, book
exact matches, and keep everything else for a clerk to resolve.

``coda_import`` stores the file's movements in one transaction (all or nothing; a file already
imported, or a movement already read from another export of the same statement, changes nothing) and
classifies each credit. Booking the exact matches on their dossiers (``coda_apply``) runs after
commit as a task, movement by movement through the same services as online payments, so a large
statement does not hold one long transaction and a retried task books nothing twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eloket.constants import MovementReason, MovementStatus, PaymentChannel, PaymentStatus
from eloket.models import BankMovement, CodaImport, Dossier, Organisation, Payment, PaymentItem, User
from eloket.payments import coda
from eloket.payments.selectors import dossier_is_payable
from eloket.payments.services import _payment_move, payment_reference_new
from eloket.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)

CHUNK = 2000


class CodaRejected(ValidationError):
    """The file cannot be imported; ``errors`` lists (line number, message). Nothing was stored."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__([_("Regel %(line)s: %(message)s") % {"line": n, "message": m} for n, m in errors])


@dataclass(frozen=True)
class ImportResult:
    coda_import: CodaImport
    already_imported: bool
    movements: int
    matched: int
    unmatched: int
    skipped: int


def coda_import(
    *, organisation: Organisation, content: bytes, file_name: str, user: User | None = None, parsed=None
) -> ImportResult:
    """Import a CODA file into ``organisation``'s books. Raises ``CodaRejected`` for a damaged file
    or one of another account (nothing stored). ``parsed`` lets a caller that parsed already skip it."""
    digest = hashlib.sha256(content).hexdigest()
    previous = CodaImport.objects.filter(organisation=organisation, file_sha256=digest).first()
    if previous is not None:
        logger.info("coda_import_duplicate import=%s organisation=%s", previous.pk, organisation.pk)
        return ImportResult(previous, True, previous.movement_count, 0, 0, previous.movement_count)
    parsed = parsed or coda.parse(content)
    errors = list(parsed.errors)
    for statement in parsed.statements:
        if statement.account.replace(" ", "") != organisation.iban:
            errors.append(
                (
                    statement.line_number,
                    _("de rekening %(account)s is niet die van %(organisation)s")
                    % {"account": statement.account, "organisation": organisation.name},
                )
            )
    if errors:
        raise CodaRejected(errors)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The file stays the source: should the server crash in the instant after the commit, the
            # clerk imports it again. Not waiting for that flush saves a second on 100,000 movements.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        record = CodaImport.objects.create(
            organisation=organisation,
            file_name=file_name[:255],
            file_sha256=digest,
            account_iban=organisation.iban,
            statement_numbers=",".join(s.statement_number for s in parsed.statements)[:255],
            statement_date=parsed.statements[-1].new_balance_date if parsed.statements else None,
            imported_by=user,
        )
        keys, fresh, skipped = _fresh(organisation, parsed)
        credits = sorted({m.ogm for m in fresh if m.ogm and m.amount_cents > 0})
        statuses: dict[str, int] = dict.fromkeys((_MATCHED, _UNMATCHED, _IGNORED), 0)
        _insert(_rows(record, keys, fresh, _dossiers_by_ogm(organisation, credits), statuses))
        movements = len(fresh) + skipped
        matched, unmatched = statuses[_MATCHED], statuses[_UNMATCHED]
        record.movement_count = movements
        record.matched_count, record.unmatched_count, record.skipped_count = matched, unmatched, skipped
        record.save(update_fields=["movement_count", "matched_count", "unmatched_count", "skipped_count"])
        record_id = record.pk
        if matched:
            # A lost task costs a delay: the reconciliation books what is still matched and unbooked.
            enqueue_after_commit("eloket.payments.tasks.coda_apply", record_id)
    logger.info(
        "coda_imported import=%s organisation=%s movements=%s matched=%s unmatched=%s skipped=%s",
        record.pk,
        organisation.pk,
        movements,
        matched,
        unmatched,
        skipped,
    )
    return ImportResult(record, False, movements, matched, unmatched, skipped)


COLUMNS = (
    "coda_import_id", "organisation_id", "movement_key", "line_number", "amount_cents", "value_date",
    "entry_date", "ogm", "communication", "counterparty_iban", "counterparty_name", "status", "reason",
    "dossier_id", "resolution_note",
)  # fmt: skip
# As plain strings, the way every row holds them.
_MATCHED, _UNMATCHED, _IGNORED = (
    str(s.value) for s in (MovementStatus.MATCHED, MovementStatus.UNMATCHED, MovementStatus.IGNORED)
)


def _fresh(
    organisation: Organisation, parsed: coda.CodaFile
) -> tuple[list[str], list[coda.CodaMovement], int]:
    """The file's bookings with their keys, without those already read from another export of the same
    statements (or twice in this file); and how many were left out."""
    keys: list[str] = []
    fresh: list[coda.CodaMovement] = []
    known: set[str] = set()
    skipped = 0
    for statement in parsed.statements:
        year = statement.new_balance_date.year if statement.new_balance_date else 0
        # The organisation has one account (checked by the caller), so the key leaves the account out.
        prefix = f"{year}/{statement.statement_number}/"
        known |= _known_keys(organisation, prefix)
        for m in statement.movements:
            if not m.is_booking:
                continue
            key = f"{prefix}{m.sequence}/{m.detail}"
            if key in known:
                skipped += 1
                continue
            known.add(key)
            keys.append(key)
            fresh.append(m)
    return keys, fresh, skipped


def _rows(
    record: CodaImport,
    keys: list[str],
    movements: list[coda.CodaMovement],
    dossiers: dict[str, _Owed],
    statuses: dict[str, int],
) -> Iterator[tuple]:
    """The ``BankMovement`` rows (tuples in ``COLUMNS`` order), classified in file order, counted in
    ``statuses`` as they are made.

    Made one by one while they are written, never all at once: 100,000 tuples alive together, beside
    the parsed file, made the garbage collector walk everything over and over (half of the import's
    own CPU time, measured).
    """
    booked: set[int] = set()
    import_id, organisation_id = record.pk, record.organisation_id
    for key, m in zip(keys, movements, strict=True):
        amount, ogm, dossier_id, reason = m.amount_cents, m.ogm, None, ""
        if amount <= 0:
            status = _IGNORED
        else:
            owed = dossiers.get(ogm) if ogm else None
            reason = _reason_for(ogm, amount, owed, booked)
            if owed is not None:
                dossier_id = owed.pk
            if reason == MovementReason.EXACT:
                status = _MATCHED
                booked.add(owed.pk)
            else:
                status = _UNMATCHED
        statuses[status] += 1
        yield (
            import_id, organisation_id, key, m.line_number, amount, m.value_date, m.entry_date,
            ogm, m.communication[:200], m.counterparty_iban[:34], m.counterparty_name[:70], status,
            str(reason), dossier_id, "",
        )  # fmt: skip


def _insert(rows: Iterable[tuple]) -> None:
    """Write the rows as they come, in one statement: a binary COPY on PostgreSQL, on SQLite an
    ``INSERT`` of as many rows as one statement may bind, repeated by one ``executemany``. (The ORM's
    ``bulk_create`` spends most of its time compiling SQL for 100,000 model instances; one ``INSERT``
    per row spends it in SQLite's per-statement overhead.)"""
    table = connection.ops.quote_name(BankMovement._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg encodes each row in C and sends while the rows are still being made; the server
            # reads binary values without parsing text.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(_column_types())
                for row in rows:
                    copy.write_row(row)
            return
        width = len(COLUMNS)
        per_statement = connection.features.max_query_params // width
        one = "(" + ", ".join(["%s"] * width) + ")"
        insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        rest: list = []
        cursor.executemany(
            insert + ", ".join([one] * per_statement), _flat_batches(rows, per_statement, rest)
        )
        if rest:
            cursor.executemany(insert + one, [rest[i : i + width] for i in range(0, len(rest), width)])


def _flat_batches(rows: Iterable[tuple], per_batch: int, rest: list) -> Iterator[list]:
    """``per_batch`` rows at a time as one flat list of values (dates as SQLite stores them); what is
    left at the end goes into ``rest``."""
    size = per_batch * len(COLUMNS)
    value_date, entry_date = (COLUMNS.index(name) - len(COLUMNS) for name in ("value_date", "entry_date"))
    batch: list = []
    for row in rows:
        batch.extend(row)
        batch[value_date], batch[entry_date] = _iso(batch[value_date]), _iso(batch[entry_date])
        if len(batch) == size:
            yield batch
            batch = []
    rest.extend(batch)


@functools.cache
def _column_types() -> list[str]:
    """The PostgreSQL type of each of ``COLUMNS``, from the model, for the binary COPY."""
    fields = {field.column: field for field in BankMovement._meta.concrete_fields}
    return [fields[column].db_type(connection).split("(")[0] for column in COLUMNS]


@functools.lru_cache(maxsize=4096)
def _iso(day: dt.date | None) -> str | None:
    """A date as Django stores it in SQLite; a statement has few distinct dates."""
    return day.isoformat() if day else None


def _known_keys(organisation: Organisation, prefix: str) -> set[str]:
    """Keys of the movements already read from a statement (``prefix``): one range query on the
    (organisation, movement_key) index, as a key starts with its statement."""
    return set(
        BankMovement.objects.filter(
            organisation=organisation, movement_key__gte=prefix, movement_key__lt=prefix + "~"
        ).values_list("movement_key", flat=True)
    )


@dataclass(slots=True)
class _Owed:
    """What matching needs of a dossier: its id, whether it can be paid now, and what it still owes."""

    pk: int
    payable: bool
    amount_due_cents: int
    amount_paid_cents: int


def _dossiers_by_ogm(organisation: Organisation, ogms: list[str]) -> dict[str, _Owed]:
    """The organisation's dossiers with these OGMs, read as plain rows (``ANY`` of one array on
    PostgreSQL, ``IN`` lists on SQLite): 100,000 references must not build 100,000 models or compile
    100,000 ORM parameters."""
    meta = Dossier._meta
    names = (
        "id", "ogm", "organisation_id", "kind", "status", "amount_original_cents", "costs_cents",
        "amount_paid_cents",
    )  # fmt: skip
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in names)
    table = connection.ops.quote_name(meta.db_table)
    # By the unique OGM index alone (a planner offered the organisation too may scan its dossiers);
    # another organisation's dossier is left out below.
    sql = f"SELECT {columns} FROM {table} WHERE ogm "  # noqa: S608
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql + "= ANY(%s)", [ogms])
            rows = cursor.fetchall()
        else:
            for start in range(0, len(ogms), CHUNK):
                chunk = ogms[start : start + CHUNK]
                cursor.execute(sql + f"IN ({', '.join(['%s'] * len(chunk))})", chunk)
                rows.extend(cursor.fetchall())
    # The policy decides per kind and status whether a dossier with money due can be paid, and whether
    # that status owes nothing at all (cancelled): asked once per pair, of a dossier owing one cent.
    rules: dict[tuple[str, str], tuple[bool, bool]] = {}
    result = {}
    for pk, ogm, organisation_id, kind, status, original, costs, paid in rows:
        if organisation_id != organisation.pk:
            continue
        if (kind, status) not in rules:
            probe = Dossier(kind=kind, status=status, amount_original_cents=1)
            rules[kind, status] = (dossier_is_payable(probe), probe.amount_due_cents == 0)
        payable, owes_nothing = rules[kind, status]
        due = 0 if owes_nothing else max(original + costs - paid, 0)
        result[ogm] = _Owed(pk=pk, payable=payable, amount_due_cents=due, amount_paid_cents=paid)
    return result


def _reason(movement: BankMovement, dossier: Dossier | None, booked: set[int]) -> str:
    return _reason_for(movement.ogm, movement.amount_cents, dossier, booked)


def _reason_for(ogm: str, amount_cents: int, dossier: _Owed | Dossier | None, booked: set[int]) -> str:
    """Exact: a payable dossier of this organisation whose amount due is the amount. Everything else is
    kept for a clerk with the reason."""
    if not ogm:
        return MovementReason.NO_REFERENCE
    if dossier is None:
        return MovementReason.UNKNOWN
    due = dossier.amount_due_cents
    if dossier.pk in booked or (due == 0 and dossier.amount_paid_cents > 0):
        return MovementReason.DUPLICATE
    payable = dossier.payable if isinstance(dossier, _Owed) else dossier_is_payable(dossier)
    if not payable:
        return MovementReason.NOT_PAYABLE
    if amount_cents < due:
        return MovementReason.PARTIAL
    if amount_cents > due:
        return MovementReason.EXCESS
    return MovementReason.EXACT


def coda_apply(*, coda_import_id: int) -> dict[str, int]:
    """Book every matched movement of an import that has no payment yet (idempotent)."""
    counts = {"booked": 0, "unmatched": 0}
    ids = list(
        BankMovement.objects.filter(
            coda_import_id=coda_import_id, status=MovementStatus.MATCHED, payment__isnull=True
        ).values_list("pk", flat=True)
    )
    for movement_id in ids:
        booked = movement_book(movement_id=movement_id)
        counts["booked" if booked else "unmatched"] += 1
    logger.info("coda_applied import=%s %s", coda_import_id, counts)
    return counts


def movement_book(
    *, movement_id: int, dossier: Dossier | None = None, user: User | None = None, note: str = ""
) -> bool:
    """Book a bank movement on its dossier (or on ``dossier``, a clerk's choice) as a bank-transfer
    payment. An automatic match is re-checked under lock; when the dossier changed meanwhile the
    movement goes back to the clerk's list. A clerk may book less than the amount due (partial)."""
    with transaction.atomic():
        movement = BankMovement.objects.select_for_update().get(pk=movement_id)
        if movement.payment_id is not None or movement.amount_cents <= 0:
            return False
        target_id = dossier.pk if dossier is not None else movement.dossier_id
        target = (
            Dossier.objects.select_for_update(of=("self",))
            .filter(pk=target_id, organisation_id=movement.organisation_id)
            .first()
        )
        if target is None:
            raise ValidationError(
                _("Dit dossier hoort niet bij deze organisatie."), code="other_organisation"
            )
        manual = user is not None
        reason = _reason(movement, target, set()) if not manual else None
        if manual and (movement.amount_cents > target.amount_due_cents or not dossier_is_payable(target)):
            raise ValidationError(
                _("Het bedrag is hoger dan het openstaande bedrag, of het dossier staat niet open."),
                code="too_much",
            )
        if not manual and reason != MovementReason.EXACT:
            movement.status, movement.reason = MovementStatus.UNMATCHED, reason
            movement.save(update_fields=["status", "reason"])
            return False
        payment = Payment.objects.create(
            reference=payment_reference_new(),
            channel=PaymentChannel.BANK_TRANSFER,
            status=PaymentStatus.OPEN,
            party_id=target.party_id,
            organisation_id=movement.organisation_id,
            amount_cents=movement.amount_cents,
            method="transfer",
            created_by=user,
        )
        PaymentItem.objects.create(payment=payment, dossier=target, amount_cents=movement.amount_cents)
        movement.payment, movement.dossier = payment, target
        if manual:
            movement.status = MovementStatus.RESOLVED
            movement.resolved_by, movement.resolved_at, movement.resolution_note = user, timezone.now(), note
        movement.save()
        _payment_move(payment, PaymentStatus.SUCCEEDED, source="coda")
    return True


def movement_close(*, movement_id: int, user: User, note: str) -> BankMovement:
    """A clerk settled a movement outside the e-loket (returned it, booked it elsewhere)."""
    if not note.strip():
        raise ValidationError(_("Schrijf kort wat er met deze betaling gebeurd is."), code="note_required")
    with transaction.atomic():
        movement = BankMovement.objects.select_for_update().get(pk=movement_id)
        if movement.status != MovementStatus.UNMATCHED:
            raise ValidationError(_("Deze beweging is al opgelost."), code="not_open")
        movement.status = MovementStatus.RESOLVED
        movement.resolved_by, movement.resolved_at, movement.resolution_note = (
            user,
            timezone.now(),
            note.strip(),
        )
        movement.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    return movement
