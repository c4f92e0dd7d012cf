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
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from eloket.constants import MovementReason, MovementStatus, PaymentChannel, PaymentStatus
from eloket.models import BankMovement, CodaImport, Dossier, Organisation, Payment, PaymentItem, User
from eloket.payments import coda
from eloket.payments.selectors import dossier_is_payable
from eloket.payments.services import _payment_move, payment_reference_new

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
        movements = _movements(parsed)
        fresh, skipped = _without_known(organisation, movements)
        _classify(organisation, fresh)
        _insert(record, fresh)
        matched = sum(1 for m in fresh if m.status == MovementStatus.MATCHED)
        unmatched = sum(1 for m in fresh if m.status == MovementStatus.UNMATCHED)
        record.movement_count = len(movements)
        record.matched_count, record.unmatched_count, record.skipped_count = matched, unmatched, skipped
        record.save(update_fields=["movement_count", "matched_count", "unmatched_count", "skipped_count"])
        record_id = record.pk
        if matched:
            transaction.on_commit(lambda: async_task("eloket.payments.tasks.coda_apply", record_id))
    logger.info(
        "coda_imported import=%s organisation=%s movements=%s matched=%s unmatched=%s skipped=%s",
        record.pk,
        organisation.pk,
        len(movements),
        matched,
        unmatched,
        skipped,
    )
    return ImportResult(record, False, len(movements), matched, unmatched, skipped)


@dataclass(slots=True)
class _Row:
    """A movement on its way into ``BankMovement``: plain values, so that 100,000 of them are cheap."""

    movement_key: str
    line_number: int
    amount_cents: int
    value_date: dt.date | None
    entry_date: dt.date | None
    ogm: str
    communication: str
    counterparty_iban: str
    counterparty_name: str
    status: str
    reason: str = ""
    dossier_id: int | None = None


COLUMNS = (
    "coda_import_id", "organisation_id", "movement_key", "line_number", "amount_cents", "value_date",
    "entry_date", "ogm", "communication", "counterparty_iban", "counterparty_name", "status", "reason",
    "dossier_id", "resolution_note",
)  # fmt: skip


def _movements(parsed: coda.CodaFile) -> list[_Row]:
    result = []
    for statement in parsed.statements:
        year = statement.new_balance_date.year if statement.new_balance_date else 0
        # The organisation has one account (checked above), so the key leaves the account out.
        prefix = f"{year}/{statement.statement_number}/"
        for m in statement.movements:
            if not m.is_booking:
                continue
            result.append(
                _Row(
                    movement_key=f"{prefix}{m.sequence}/{m.detail}",
                    line_number=m.line_number,
                    amount_cents=m.amount_cents,
                    value_date=m.value_date,
                    entry_date=m.entry_date,
                    ogm=m.ogm,
                    communication=m.communication[:200],
                    counterparty_iban=m.counterparty_iban[:34],
                    counterparty_name=m.counterparty_name[:70],
                    status=MovementStatus.UNMATCHED if m.amount_cents > 0 else MovementStatus.IGNORED,
                )
            )
    return result


def _insert(record: CodaImport, rows: list[_Row]) -> None:
    """Write the rows in one go: COPY on PostgreSQL, one ``executemany`` on SQLite (the ORM's
    ``bulk_create`` spends most of its time compiling SQL for 100,000 model instances)."""
    values = (
        (
            record.pk, record.organisation_id, r.movement_key, r.line_number, r.amount_cents,
            r.value_date, r.entry_date, r.ogm, r.communication, r.counterparty_iban, r.counterparty_name,
            r.status, r.reason, r.dossier_id, "",
        )
        for r in rows
    )  # fmt: skip
    table = connection.ops.quote_name(BankMovement._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                batch: list[str] = []
                for row in values:
                    batch.append("\t".join(_copy_text(value) for value in row))
                    if len(batch) == 5000:
                        copy.write("\n".join(batch) + "\n")
                        batch = []
                if batch:
                    copy.write("\n".join(batch) + "\n")
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                [(*row[:5], _iso(row[5]), _iso(row[6]), *row[7:]) for row in values],
            )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format (one ``write`` per 5,000 rows instead of one per row)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


@functools.lru_cache(maxsize=4096)
def _iso(day: dt.date | None) -> str | None:
    """A date as Django stores it in SQLite; a statement has few distinct dates."""
    return day.isoformat() if day else None


def _without_known(organisation: Organisation, movements: list[_Row]) -> tuple[list[_Row], int]:
    """Leave out movements already read from another export of the same statement. One range query
    per statement on the (organisation, movement_key) index: a key starts with its statement."""
    prefixes = sorted({m.movement_key.rsplit("/", 2)[0] + "/" for m in movements})
    known: set[str] = set()
    for prefix in prefixes:
        known.update(
            BankMovement.objects.filter(
                organisation=organisation, movement_key__gte=prefix, movement_key__lt=prefix + "~"
            ).values_list("movement_key", flat=True)
        )
    seen: set[str] = set()
    fresh = []
    for movement in movements:
        if movement.movement_key in known or movement.movement_key in seen:
            continue
        seen.add(movement.movement_key)
        fresh.append(movement)
    return fresh, len(movements) - len(fresh)


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


def _classify(organisation: Organisation, movements: list[_Row]) -> None:
    """Exact: a payable dossier of this organisation whose amount due is the amount. Everything else
    is kept for a clerk with the reason."""
    credits = [m for m in movements if m.status == MovementStatus.UNMATCHED]
    dossiers = _dossiers_by_ogm(organisation, sorted({m.ogm for m in credits if m.ogm}))
    booked: set[int] = set()
    for movement in credits:
        owed = dossiers.get(movement.ogm) if movement.ogm else None
        movement.dossier_id = owed.pk if owed else None
        movement.reason = _reason(movement, owed, booked)
        if movement.reason == MovementReason.EXACT:
            movement.status = MovementStatus.MATCHED
            booked.add(owed.pk)


def _reason(movement: _Row | BankMovement, dossier: _Owed | Dossier | None, booked: set[int]) -> str:
    if not movement.ogm:
        return MovementReason.NO_REFERENCE
    if dossier is None:
        return MovementReason.UNKNOWN
    due = dossier.amount_due_cents
    if dossier.pk in booked or (due == 0 and dossier.amount_paid_cents > 0):
        return MovementReason.DUPLICATE
    payable = dossier.payable if isinstance(dossier, _Owed) else dossier_is_payable(dossier)
    if not payable:
        return MovementReason.NOT_PAYABLE
    if movement.amount_cents < due:
        return MovementReason.PARTIAL
    if movement.amount_cents > due:
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
