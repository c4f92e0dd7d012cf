"""CODA statements: parsed strictly, imported once, exact OGM matches booked, the rest for a clerk."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from eloket.constants import DossierKind, DossierStatus, MovementReason, MovementStatus, PaymentChannel
from eloket.models import BankMovement, CodaImport, Payment
from eloket.payments import coda
from eloket.payments.coda_build import Credit, coda_statement
from eloket.payments.coda_import import CodaRejected, coda_import, movement_book, movement_close
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def gas_fine(citizen, organisation):
    return DossierFactory(party=citizen[1], organisation=organisation, kind=DossierKind.GAS4, notified=True)


def statement(organisation, *credits, number=1):
    return coda_statement(iban=organisation.iban, credits=list(credits), day=DAY, statement_number=number)


def test_the_parser_reads_amounts_ogm_and_counterparty():
    content = coda_statement(
        iban="BE21001234567803",
        credits=[Credit(5800, ogm="123456789002"), Credit(1234, text="factuur 7")],
        day=DAY,
    )
    parsed = coda.parse(content)
    assert parsed.errors == []
    first, second = parsed.movements
    assert (first.amount_cents, first.ogm, first.value_date) == (5800, "123456789002", DAY)
    assert first.counterparty_iban == "BE68539007547034"
    assert (second.ogm, second.communication) == ("", "factuur 7")


def test_malformed_lines_are_reported_with_their_numbers():
    lines = coda_statement(iban="BE21001234567803", credits=[Credit(5800, ogm="123456789002")], day=DAY)
    broken = lines.decode("latin-1").splitlines()
    broken[2] = broken[2][:40] + "x" + broken[2][41:]  # a letter in the amount
    broken[3] = broken[3][:100]  # a short line
    parsed = coda.parse("\n".join(broken).encode("latin-1"))
    numbers = [number for number, _message in parsed.errors]
    assert 3 in numbers and 4 in numbers


def test_an_exact_transfer_marks_the_dossier_paid(organisation, gas_fine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = coda_import(
            organisation=organisation,
            content=statement(organisation, Credit(gas_fine.amount_due_cents, ogm=gas_fine.ogm)),
            file_name="stat.cod",
        )
    assert (result.matched, result.unmatched) == (1, 0)
    gas_fine.refresh_from_db()
    assert gas_fine.status == DossierStatus.PAID
    payment = Payment.objects.get()
    assert payment.channel == PaymentChannel.BANK_TRANSFER
    assert BankMovement.objects.get().payment == payment


def test_partial_excess_duplicate_and_unknown_payments_wait_for_a_clerk(
    citizen, organisation, gas_fine, django_capture_on_commit_callbacks
):
    other = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    due = gas_fine.amount_due_cents
    content = statement(
        organisation,
        Credit(due, ogm=gas_fine.ogm),
        Credit(due, ogm=gas_fine.ogm),  # paid twice
        Credit(other.amount_due_cents - 100, ogm=other.ogm),
        Credit(999, ogm="000000000097"),
        Credit(500, text="voor de boete"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = coda_import(organisation=organisation, content=content, file_name="mixed.cod")
    assert (result.matched, result.unmatched) == (1, 4)
    reasons = sorted(
        BankMovement.objects.filter(status=MovementStatus.UNMATCHED).values_list("reason", flat=True)
    )
    assert reasons == sorted(
        [
            MovementReason.DUPLICATE,
            MovementReason.PARTIAL,
            MovementReason.UNKNOWN,
            MovementReason.NO_REFERENCE,
        ]
    )
    excess = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    with django_capture_on_commit_callbacks(execute=True):
        coda_import(
            organisation=organisation,
            content=statement(organisation, Credit(excess.amount_due_cents + 1, ogm=excess.ogm), number=2),
            file_name="excess.cod",
        )
    assert BankMovement.objects.get(dossier=excess).reason == MovementReason.EXCESS


def test_the_same_file_twice_changes_nothing(organisation, gas_fine, django_capture_on_commit_callbacks):
    content = statement(organisation, Credit(gas_fine.amount_due_cents, ogm=gas_fine.ogm))
    with django_capture_on_commit_callbacks(execute=True):
        coda_import(organisation=organisation, content=content, file_name="a.cod")
        again = coda_import(organisation=organisation, content=content, file_name="a-copy.cod")
        # The same statement in another export (other header bytes) is recognised by its movements.
        reexport = content.replace(b"72505", b"72505", 1).replace(b"Stad", b"STAD", 1)
        third = coda_import(organisation=organisation, content=reexport, file_name="b.cod")
    assert again.already_imported
    assert (third.skipped, third.matched) == (1, 0)
    assert BankMovement.objects.count() == 1
    assert Payment.objects.count() == 1


def test_a_broken_file_is_not_half_applied(organisation, gas_fine):
    good = statement(
        organisation, Credit(gas_fine.amount_due_cents, ogm=gas_fine.ogm), Credit(100, ogm="000000000097")
    )
    lines = good.decode("latin-1").splitlines()
    del lines[5]  # a movement's line lost: the balances and the trailer no longer add up
    with pytest.raises(CodaRejected) as rejected:
        coda_import(organisation=organisation, content="\n".join(lines).encode("latin-1"), file_name="x.cod")
    assert rejected.value.errors
    assert not CodaImport.objects.exists()
    assert not BankMovement.objects.exists()
    gas_fine.refresh_from_db()
    assert gas_fine.status == DossierStatus.NOTIFIED


def test_a_file_of_another_account_is_refused(organisation, gas_fine):
    content = coda_statement(iban="BE62363111222361", credits=[Credit(5800, ogm=gas_fine.ogm)], day=DAY)
    with pytest.raises(CodaRejected):
        coda_import(organisation=organisation, content=content, file_name="other.cod")


def test_a_clerk_books_a_partial_payment_or_closes_a_movement(citizen, organisation, gas_fine):
    content = statement(organisation, Credit(1000, ogm=gas_fine.ogm), Credit(700, text="?"))
    coda_import(organisation=organisation, content=content, file_name="p.cod")
    partial, loose = BankMovement.objects.order_by("line_number")
    clerk = UserFactory()
    assert movement_book(movement_id=partial.pk, dossier=gas_fine, user=clerk, note="deelbetaling")
    gas_fine.refresh_from_db()
    assert gas_fine.amount_paid_cents == 1000
    assert gas_fine.status == DossierStatus.NOTIFIED
    movement_close(movement_id=loose.pk, user=clerk, note="teruggestort")
    assert set(BankMovement.objects.values_list("status", flat=True)) == {MovementStatus.RESOLVED}


def test_the_command_imports_and_reports_line_numbers(
    organisation, gas_fine, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "stat.cod"
    path.write_bytes(statement(organisation, Credit(gas_fine.amount_due_cents, ogm=gas_fine.ogm)))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_coda", str(path), organisation=organisation.slug, stdout=out)
    assert "1 matched" in out.getvalue()
    gas_fine.refresh_from_db()
    assert gas_fine.status == DossierStatus.PAID
    broken = tmp_path / "broken.cod"
    broken.write_bytes(b"0" * 20 + b"\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_coda", str(broken), organisation=organisation.slug, stderr=err)
    assert "broken.cod:1:" in err.getvalue()


def test_a_free_communication_is_stored_as_written(organisation):
    content = statement(organisation, Credit(700, text="factuur 7\\b\tc"))
    coda_import(organisation=organisation, content=content, file_name="free.cod")
    assert BankMovement.objects.get().communication == "factuur 7\\b\tc"


def test_a_long_statement_is_stored_movement_by_movement(citizen, organisation, gas_fine):
    """More movements than one SQL statement takes (SQLite writes them in batches, PostgreSQL in one
    binary COPY): every one is stored with its own values and classified in file order."""
    due = gas_fine.amount_due_cents
    credits = [Credit(1000 + n, text=f"betaling {n}") for n in range(150)]
    credits[70] = Credit(due, ogm=gas_fine.ogm)
    credits[140] = Credit(due, ogm=gas_fine.ogm)  # paid twice: the first one is the match
    result = coda_import(
        organisation=organisation, content=statement(organisation, *credits), file_name="l.cod"
    )
    assert (result.movements, result.matched, result.unmatched) == (150, 1, 149)
    rows = list(BankMovement.objects.order_by("line_number"))
    assert [row.amount_cents for row in rows] == [credit.amount_cents for credit in credits]
    assert {(row.value_date, row.entry_date) for row in rows} == {(DAY, DAY)}
    assert rows[0].communication == "betaling 0" and rows[149].communication == "betaling 149"
    assert (rows[70].status, rows[70].dossier_id) == (MovementStatus.MATCHED, gas_fine.pk)
    assert (rows[140].reason, rows[140].dossier_id) == (MovementReason.DUPLICATE, gas_fine.pk)
    assert len({row.movement_key for row in rows}) == 150
