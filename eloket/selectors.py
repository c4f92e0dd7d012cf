"""Reads. Every read of citizen data is scoped to the acting party; another party's object is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.http import Http404

from eloket.constants import VOID_STATUSES, DossierStatus
from eloket.models import Dossier, Evidence, Organisation, Party, Representation, TimelineEvent, User
from eloket.models.dossiers import overview_date

if TYPE_CHECKING:
    from eloket.payments.selectors import PaymentTotals

UNPAID_STATUSES = (
    DossierStatus.NOTIFIED,
    DossierStatus.REMINDED,
    DossierStatus.FORMAL_NOTICE,
    DossierStatus.ENFORCEABLE,
    DossierStatus.IN_COLLECTION,
    DossierStatus.REQUESTED,
    DossierStatus.ACTIVE,
)

# What the overview shows of a dossier; the query-count test guards against a deferred field.
OVERVIEW_COLUMNS = (
    "id", "kind", "status", "reference", "party_id", "occurred_at", "valid_from", "created_at", "pay_by",
    "amount_original_cents", "costs_cents", "amount_paid_cents",
    "municipality__id", "municipality__name_nl", "municipality__name_fr", "municipality__name_en",
    "municipality__name_de",
)  # fmt: skip


def _due_expression():
    return Greatest(F("amount_original_cents") + F("costs_cents") - F("amount_paid_cents"), 0)


def _amount_due_expression():
    """``Dossier.amount_due_cents`` in SQL, the overview's "Te betalen" column: nothing for a void dossier."""
    return Case(When(status__in=VOID_STATUSES, then=Value(0)), default=_due_expression())


def _still_to_pay() -> Q:
    """A dossier whose payment term still counts: unpaid, or paid in part."""
    return Q(status__in=UNPAID_STATUSES, amount_paid_cents__lt=F("amount_original_cents") + F("costs_cents"))


def _has_open_deadline():
    """0 for a dossier with something still to pay, else 1."""
    return Case(When(_still_to_pay(), then=Value(0)), default=Value(1))


def _open_pay_by():
    """The payment term of a dossier with something still to pay; none for the rest, which the
    deadline sort then orders by date, as "newest first" does."""
    return Case(When(_still_to_pay(), then=F("pay_by")), default=None)


# Every order is total (it ends on the id), so that a dossier is on exactly one page. Each one sorts
# by what the table shows, across kinds: the date column, the amount due column.
SORTS = {
    "newest": (overview_date().desc(), F("id").desc()),
    "oldest": (overview_date().asc(), F("id").asc()),
    # What still has to be paid first, the earliest payment term first; then the rest, newest first.
    "deadline": (
        _has_open_deadline().asc(),
        _open_pay_by().asc(nulls_last=True),
        overview_date().desc(),
        F("id").desc(),
    ),
    "amount": (_amount_due_expression().desc(), overview_date().desc(), F("id").desc()),
}


def representations_for_user(*, user: User) -> QuerySet[Representation]:
    return (
        Representation.objects.filter(user=user)
        .select_related("party")
        .order_by("-role", "party__display_name")
    )


def acting_party_for_user(*, user: User, party_id: int | None) -> Party | None:
    """The party this user acts as: the one asked for if they may, else themselves."""
    if not user.is_authenticated:
        return None
    representations = Representation.objects.filter(user=user).select_related("party")
    if party_id is not None:
        chosen = representations.filter(party_id=party_id).first()
        if chosen is not None:
            return chosen.party
    own = representations.filter(role="self").first()
    return own.party if own else None


def dossier_list(
    *,
    party: Party,
    kind: str | None = None,
    municipality_id: int | None = None,
    status: str | None = None,
    sort: str = "newest",
) -> QuerySet[Dossier]:
    queryset = Dossier.objects.filter(party=party).select_related("municipality").only(*OVERVIEW_COLUMNS)
    if kind:
        queryset = queryset.filter(kind=kind)
    if municipality_id:
        queryset = queryset.filter(municipality_id=municipality_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by(*SORTS.get(sort, SORTS["newest"]))


@dataclass(frozen=True)
class PartyTotals:
    due_cents: int
    open_count: int
    count: int  # all the party's dossiers: the unfiltered overview's paginator needs no COUNT of its own
    has_sessions: bool  # parking sessions carry the party's identifier: the overview shows them
    payments: PaymentTotals


# The overview's summary in one round trip (the page everyone opens, docs/performance.md): what is
# still due and how many dossiers are open (``UNPAID_STATUSES``; the due amount as
# ``Dossier.amount_due_cents``), all dossiers, whether parking sessions carry the party, and the
# payment totals (``eloket.payments.selectors``). Written as SQL: the ORM's aggregate with filters and
# four subqueries cost more Python than the database spends on it.
_PARTY_TOTALS = """
SELECT
  (SELECT COALESCE(SUM(CASE WHEN d.amount_original_cents + d.costs_cents > d.amount_paid_cents
     THEN d.amount_original_cents + d.costs_cents - d.amount_paid_cents ELSE 0 END), 0)
   FROM eloket_dossier d WHERE d.party_id = %(party)s AND d.status IN ({unpaid})),
  (SELECT COUNT(*) FROM eloket_dossier d WHERE d.party_id = %(party)s AND d.status IN ({unpaid})),
  (SELECT COUNT(*) FROM eloket_dossier d WHERE d.party_id = %(party)s),
  (SELECT COUNT(*) FROM (SELECT 1 FROM eloket_parkingsession s WHERE s.party_id = %(party)s LIMIT 1) AS one),
  {payments}
"""


def party_totals(*, party: Party) -> PartyTotals:
    from eloket.payments.selectors import PAYMENT_TOTALS_COLUMNS, payment_totals_from, payment_totals_params

    unpaid = {f"unpaid_{i}": str(status) for i, status in enumerate(UNPAID_STATUSES)}
    sql = _PARTY_TOTALS.format(
        unpaid=", ".join(f"%({name})s" for name in unpaid), payments=PAYMENT_TOTALS_COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**payment_totals_params(party), **unpaid})
        due, open_count, count, sessions, *payments = cursor.fetchone()
    return PartyTotals(
        due_cents=int(due),
        open_count=int(open_count),
        count=int(count),
        has_sessions=bool(sessions),
        payments=payment_totals_from(payments),
    )


_NEEDS_ACTION = """
SELECT id, kind, status, reference, party_id, municipality_id, occurred_at, valid_from, created_at, pay_by,
  amount_original_cents, costs_cents, amount_paid_cents
FROM eloket_dossier
WHERE party_id = %s AND status IN ({unpaid}) AND amount_paid_cents < amount_original_cents + costs_cents
ORDER BY pay_by IS NULL, pay_by, id
LIMIT %s
"""


def dossier_needs_action(*, party: Party, municipalities=None, limit: int = 3) -> list[Dossier]:
    """Dossiers with something still to pay whose payment deadline comes first. ``municipalities``
    (``dossier_municipalities``, which the overview reads anyway) gives each its municipality without
    a join. ``raw()``, as ``dossier_municipalities``: this is the overview."""
    unpaid = ", ".join(["%s"] * len(UNPAID_STATUSES))
    dossiers = list(
        Dossier.objects.raw(
            _NEEDS_ACTION.format(unpaid=unpaid), [party.pk, *map(str, UNPAID_STATUSES), limit]
        )
    )
    by_id = {municipality.pk: municipality for municipality in municipalities or ()}
    for dossier in dossiers:
        if dossier.municipality_id in by_id:
            dossier.municipality = by_id[dossier.municipality_id]
    return dossiers


def dossier_municipalities(*, party: Party):
    """The municipalities the party has dossiers in, for the overview's filter. ``raw()``: the ORM's
    join with ``DISTINCT`` and ``only()`` cost the overview more Python than the database spends."""
    from eloket.models import Municipality

    return Municipality.objects.raw(
        "SELECT DISTINCT m.id, m.name_nl, m.name_fr, m.name_en, m.name_de FROM eloket_municipality m"
        " JOIN eloket_dossier d ON d.municipality_id = m.id WHERE d.party_id = %s ORDER BY m.name_nl, m.id",
        [party.pk],
    )


def dossier_get(*, party: Party | None, reference: str, dossier_id: int | None = None) -> Dossier:
    """The party's dossier with this reference; with ``dossier_id`` (one dossier opened without login)
    only that one dossier."""
    if party is None:
        raise Http404
    queryset = Dossier.objects.select_related("municipality", "organisation", "regulation")
    if dossier_id is not None:
        queryset = queryset.filter(pk=dossier_id)
    try:
        return queryset.get(party=party, reference=reference)
    except Dossier.DoesNotExist:
        raise Http404 from None


def timeline_for(*, dossier: Dossier) -> QuerySet[TimelineEvent]:
    return dossier.timeline.order_by("-occurred_at", "-id")


def evidence_for(*, dossier: Dossier) -> QuerySet[Evidence]:
    return dossier.evidence.all()


def evidence_get(
    *, party: Party | None, reference: str, evidence_id: int, dossier_id: int | None = None
) -> Evidence:
    dossier = dossier_get(party=party, reference=reference, dossier_id=dossier_id)
    evidence = dossier.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence


def staff_organisations(*, user: User) -> QuerySet[Organisation]:
    """The organisations whose work a staff login may see: its memberships (all, for a superuser).

    Every clerk-side read (submissions, attachments, payments, exports) is scoped through this.
    """
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(staff__user=user).distinct()
