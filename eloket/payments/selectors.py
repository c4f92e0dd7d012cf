"""Reads of payments: a citizen's scoped to the acting party, a clerk's to their organisations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from eloket.constants import CitizenAction, MovementStatus, PaymentChannel, PaymentStatus, RefundStatus
from eloket.models import BankMovement, CodaImport, Dossier, Organisation, Party, Payment, Refund, User
from eloket.selectors import UNPAID_STATUSES, staff_organisations

if TYPE_CHECKING:
    from eloket.payments.receipts import Receipt

# A receipt proves that money was received: a refund later does not undo that.
RECEIPT_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)


def dossier_is_payable(dossier: Dossier) -> bool:
    """Payable now: the policy offers "pay" (not on hold, cancelled or closed) and money is due."""
    return dossier.amount_due_cents > 0 and CitizenAction.PAY in dossier.policy.citizen_actions(dossier)


def online_payment_possible(*, organisation_id: int) -> bool:
    """Online payments are on and the organisation has an enabled payment account."""
    from django.conf import settings

    from eloket.models import PaymentAccount

    return (
        settings.PAYMENTS_ONLINE
        and PaymentAccount.objects.filter(organisation_id=organisation_id, enabled=True).exists()
    )


def payable_dossiers(*, party: Party, organisation: Organisation) -> list[Dossier]:
    """The party's dossiers of this organisation that can be paid now, oldest deadline first."""
    candidates = (
        Dossier.objects.filter(party=party, organisation=organisation, status__in=UNPAID_STATUSES)
        .select_related("municipality", "organisation")
        .order_by("pay_by", "id")
    )
    return [dossier for dossier in candidates if dossier_is_payable(dossier)]


def payment_get(*, party: Party | None, reference: str, dossier_id: int | None = None) -> Payment:
    """The acting party's payment with this reference; another party's is a 404. With ``dossier_id``
    (one dossier opened without login) only a payment of that dossier alone."""
    if party is None:
        raise Http404
    queryset = Payment.objects.filter(party=party, reference=reference)
    if dossier_id is not None:
        queryset = (
            queryset.filter(items__dossier_id=dossier_id)
            .exclude(items__dossier_id__lt=dossier_id)
            .exclude(items__dossier_id__gt=dossier_id)
        )
    payment = (
        queryset.select_related("organisation").prefetch_related(Prefetch("items", queryset=_items())).first()
    )
    if payment is None:
        raise Http404
    return payment


def payment_receipt_get(*, party: Party | None, reference: str, dossier_id: int | None = None) -> Receipt:
    """The receipt of the acting party's succeeded payment (also when later refunded); another party's
    payment, or one that has not succeeded, is a 404: a receipt proves money was received."""
    from eloket.payments.receipts import receipt_build

    payment = payment_get(party=party, reference=reference, dossier_id=dossier_id)
    if payment.status not in RECEIPT_STATUSES:
        raise Http404
    return receipt_build(payment)


def receipts_for_dossier(*, dossier: Dossier, only_dossier: int | None = None) -> list[Payment]:
    """The succeeded payments of a dossier (already scoped to the party) that have a receipt; a visitor
    limited to one dossier sees only the payments of that dossier alone (as ``payment_get``)."""
    payments = payments_for_dossier(dossier=dossier).filter(status__in=RECEIPT_STATUSES)
    if only_dossier is not None:
        payments = payments.exclude(items__dossier_id__lt=only_dossier).exclude(
            items__dossier_id__gt=only_dossier
        )
    return list(payments[:10])


def _items():
    from eloket.models import PaymentItem

    return PaymentItem.objects.select_related("dossier").order_by("id")


def payments_for_dossier(*, dossier: Dossier) -> QuerySet[Payment]:
    """Payments that covered this dossier (the dossier was already scoped to the party)."""
    return Payment.objects.filter(items__dossier=dossier, party_id=dossier.party_id).order_by("-created_at")


def payment_unfinished_for_dossier(*, dossier: Dossier) -> Payment | None:
    return (
        payments_for_dossier(dossier=dossier)
        .filter(channel=PaymentChannel.STRIPE, status__in=[PaymentStatus.OPEN, PaymentStatus.PROCESSING])
        .first()
    )


def refunds_for_dossier(*, dossier: Dossier) -> QuerySet[Refund]:
    return Refund.objects.filter(dossier=dossier).order_by("-created_at")


def staff_payments(*, user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(organisation__in=staff_organisations(user=user)).select_related(
        "organisation", "party"
    )


def staff_refunds(*, user: User) -> QuerySet[Refund]:
    return Refund.objects.filter(dossier__organisation__in=staff_organisations(user=user)).select_related(
        "dossier", "payment"
    )


def staff_movements(*, user: User, status: str | None = MovementStatus.UNMATCHED) -> QuerySet[BankMovement]:
    queryset = BankMovement.objects.filter(organisation__in=staff_organisations(user=user)).select_related(
        "dossier", "organisation"
    )
    return queryset.filter(status=status) if status else queryset


def staff_coda_imports(*, user: User) -> QuerySet[CodaImport]:
    return CodaImport.objects.filter(organisation__in=staff_organisations(user=user))


@dataclass(frozen=True)
class PaymentTotals:
    paid_cents: int
    processing_count: int
    refunded_cents: int


# Three sums of a party's payments as scalar subqueries, columns of the overview's one totals query
# (``eloket.selectors.party_totals``). Written as SQL: built with the
# ORM the three subqueries cost 1.5 ms of Python per overview, twenty times what the database spends
# on them (docs/performance.md).
PAYMENT_TOTALS_COLUMNS = """
  (SELECT COALESCE(SUM(p.amount_cents), 0) FROM eloket_payment p
   WHERE p.party_id = %(party)s AND p.status IN (%(succeeded)s, %(refunded)s)),
  (SELECT COUNT(*) FROM eloket_payment p WHERE p.party_id = %(party)s AND p.status = %(processing)s),
  (SELECT COALESCE(SUM(r.amount_cents), 0) FROM eloket_refund r JOIN eloket_dossier d ON d.id = r.dossier_id
   WHERE d.party_id = %(party)s AND r.status = %(refund_succeeded)s)
"""


def payment_totals_params(party: Party) -> dict:
    return {
        "party": party.pk,
        "succeeded": PaymentStatus.SUCCEEDED.value,
        "refunded": PaymentStatus.REFUNDED.value,
        "processing": PaymentStatus.PROCESSING.value,
        "refund_succeeded": RefundStatus.SUCCEEDED.value,
    }


def payment_totals_from(row) -> PaymentTotals:
    """The three ``PAYMENT_TOTALS_COLUMNS`` of a row."""
    paid, processing, refunded = row
    return PaymentTotals(paid_cents=int(paid), processing_count=int(processing), refunded_cents=int(refunded))
