"""Reads of payments: a citizen's scoped to the acting party, a clerk's to their organisations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from eloket.constants import CitizenAction, MovementStatus, PaymentChannel, PaymentStatus, RefundStatus
from eloket.models import BankMovement, CodaImport, Dossier, Organisation, Party, Payment, Refund, User
from eloket.selectors import UNPAID_STATUSES, staff_organisations


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


def party_payment_totals(*, party: Party) -> PaymentTotals:
    """For the overview: paid through the e-loket, payments still being processed, refunded."""
    payments = Payment.objects.filter(party=party)
    paid = payments.filter(status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]).aggregate(
        total=Sum("amount_cents")
    )["total"]
    refunded = Refund.objects.filter(dossier__party=party, status=RefundStatus.SUCCEEDED).aggregate(
        total=Sum("amount_cents")
    )["total"]
    return PaymentTotals(
        paid_cents=paid or 0,
        processing_count=payments.filter(status=PaymentStatus.PROCESSING).count(),
        refunded_cents=refunded or 0,
    )
