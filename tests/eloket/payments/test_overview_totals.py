"""The overview's payment totals (``party_totals().payments``): paid, still processing and refunded, of
this party only, in one query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eloket.constants import PaymentChannel, PaymentStatus, RefundStatus
from eloket.models import Payment, Refund
from eloket.selectors import party_totals
from tests.factories import DossierFactory, person_party


def pay(party, organisation, status, cents, n):
    return Payment.objects.create(
        reference=f"P-{n}", channel=PaymentChannel.STRIPE, status=status, party=party,
        organisation=organisation, amount_cents=cents,
    )  # fmt: skip


def test_the_totals_count_this_partys_payments_and_refunds_only_in_one_query(db):
    party, other = person_party(name="Piet Peeters"), person_party(name="An Smets")
    dossier, elsewhere = DossierFactory(party=party, paid=True), DossierFactory(party=other, paid=True)
    city = dossier.organisation
    pay(party, city, PaymentStatus.SUCCEEDED, 2000, 1)
    pay(party, city, PaymentStatus.REFUNDED, 500, 2)
    pay(party, city, PaymentStatus.PROCESSING, 700, 3)
    pay(party, city, PaymentStatus.PROCESSING, 800, 4)
    pay(party, city, PaymentStatus.FAILED, 9900, 5)
    pay(other, city, PaymentStatus.SUCCEEDED, 4400, 6)
    pay(other, city, PaymentStatus.PROCESSING, 100, 7)
    Refund.objects.create(dossier=dossier, amount_cents=300, status=RefundStatus.SUCCEEDED, source_key="a")
    Refund.objects.create(dossier=dossier, amount_cents=50, status=RefundStatus.TO_DO, source_key="b")
    Refund.objects.create(dossier=elsewhere, amount_cents=1000, status=RefundStatus.SUCCEEDED, source_key="c")

    with CaptureQueriesContext(connection) as queries:
        totals = party_totals(party=party).payments

    assert (totals.paid_cents, totals.processing_count, totals.refunded_cents) == (2500, 2, 300)
    assert len(queries) == 1


def test_a_party_without_payments_has_zero_everywhere(db):
    totals = party_totals(party=person_party()).payments
    assert (totals.paid_cents, totals.processing_count, totals.refunded_cents) == (0, 0, 0)


def test_the_overviews_totals_are_due_open_all_sessions_and_payments_in_one_query(db):
    from eloket.constants import DossierKind

    party, other = person_party(name="Piet Peeters"), person_party(name="An Smets")
    DossierFactory(party=party, notified=True)  # € 20 due
    DossierFactory(party=party, kind=DossierKind.GAS4, notified=True)  # € 58 due
    paid = DossierFactory(party=party, paid=True)
    DossierFactory(party=other, notified=True)
    pay(party, paid.organisation, PaymentStatus.PROCESSING, 700, 1)

    with CaptureQueriesContext(connection) as queries:
        totals = party_totals(party=party)

    assert (totals.due_cents, totals.open_count, totals.count) == (7800, 2, 3)
    assert totals.payments.processing_count == 1 and totals.has_sessions is False
    assert len(queries) == 1
