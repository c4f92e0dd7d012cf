"""Bank transfers: import an organisation's CODA file, match credits to dossiers by their OGM, book
exact matches, and keep everything else for a clerk to resolve.

``coda_import`` stores the file's movements in one transaction (all or nothing; a file already
imported, or a movement already read from another export of the same statement, changes nothing) and
classifies each credit. Booking the exact matches on their dossiers (``coda_apply``) runs after
commit as a task, movement by movement through the same services as online payments, so a large
statement does not hold one long transaction and a retried task books nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
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
DOSSIER_FIELDS = (
    "id", "kind", "status", "organisation_id", "party_id", "ogm", "reference",
    "amount_original_cents", "costs_cents", "amount_paid_cents",
)  # fmt: skip


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
        record = CodaImport.objects.create(
            organisation=organisation,
            file_name=file_name[:255],
            file_sha256=digest,
            account_iban=organisation.iban,
            statement_numbers=",".join(s.statement_number for s in parsed.statements)[:255],
            statement_date=parsed.statements[-1].new_balance_date if parsed.statements else None,
            imported_by=user,
        )
        movements = _movements(record, parsed)
        fresh, skipped = _without_known(organisation, movements)
        _classify(organisation, fresh)
        BankMovement.objects.bulk_create(fresh, batch_size=CHUNK)
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


def _movements(record: CodaImport, parsed: coda.CodaFile) -> list[BankMovement]:
    result = []
    for statement in parsed.statements:
        year = statement.new_balance_date.year if statement.new_balance_date else 0
        for m in statement.movements:
            if not m.is_booking:
                continue
            credit = m.amount_cents > 0
            result.append(
                BankMovement(
                    coda_import=record,
                    organisation_id=record.organisation_id,
                    movement_key=f"{statement.account}/{year}/{statement.statement_number}/{m.sequence}/{m.detail}",
                    line_number=m.line_number,
                    amount_cents=m.amount_cents,
                    value_date=m.value_date,
                    entry_date=m.entry_date,
                    ogm=m.ogm,
                    communication=m.communication[:200],
                    counterparty_iban=m.counterparty_iban[:34],
                    counterparty_name=m.counterparty_name[:70],
                    status=MovementStatus.UNMATCHED if credit else MovementStatus.IGNORED,
                )
            )
    return result


def _without_known(
    organisation: Organisation, movements: list[BankMovement]
) -> tuple[list[BankMovement], int]:
    """Leave out movements already read from another export of the same statement."""
    keys = [m.movement_key for m in movements]
    known: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        known.update(
            BankMovement.objects.filter(
                organisation=organisation, movement_key__in=keys[start : start + CHUNK]
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


def _classify(organisation: Organisation, movements: list[BankMovement]) -> None:
    """Exact: a payable dossier of this organisation whose amount due is the amount. Everything else
    is kept for a clerk with the reason."""
    credits = [m for m in movements if m.status == MovementStatus.UNMATCHED]
    ogms = sorted({m.ogm for m in credits if m.ogm})
    dossiers: dict[str, Dossier] = {}
    for start in range(0, len(ogms), CHUNK):
        for dossier in Dossier.objects.filter(
            organisation=organisation, ogm__in=ogms[start : start + CHUNK]
        ).only(*DOSSIER_FIELDS):
            dossiers[dossier.ogm] = dossier
    booked: set[int] = set()
    for movement in credits:
        dossier = dossiers.get(movement.ogm) if movement.ogm else None
        movement.dossier = dossier
        movement.reason = _reason(movement, dossier, booked)
        if movement.reason == MovementReason.EXACT:
            movement.status = MovementStatus.MATCHED
            booked.add(dossier.pk)


def _reason(movement: BankMovement, dossier: Dossier | None, booked: set[int]) -> str:
    if not movement.ogm:
        return MovementReason.NO_REFERENCE
    if dossier is None:
        return MovementReason.UNKNOWN
    due = dossier.amount_due_cents
    if dossier.pk in booked or (due == 0 and dossier.amount_paid_cents > 0):
        return MovementReason.DUPLICATE
    if not dossier_is_payable(dossier):
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
