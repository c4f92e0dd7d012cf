"""Reads. Every read of citizen data is scoped to the acting party; another party's object is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Greatest
from django.http import Http404

from eloket.constants import DossierStatus
from eloket.models import Dossier, Evidence, Organisation, Party, Representation, TimelineEvent, User

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

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "deadline": (F("pay_by").asc(nulls_last=True), "-id"),
    "amount": ("-amount_original_cents", "-id"),
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


def _due_expression():
    return Greatest(F("amount_original_cents") + F("costs_cents") - F("amount_paid_cents"), 0)


@dataclass(frozen=True)
class PartyTotals:
    due_cents: int
    open_count: int


def dossier_totals(*, party: Party) -> PartyTotals:
    result = Dossier.objects.filter(party=party, status__in=UNPAID_STATUSES).aggregate(
        due=Sum(_due_expression()),
        open=Sum(1),
    )
    return PartyTotals(due_cents=int(result["due"] or 0), open_count=int(result["open"] or 0))


def dossier_needs_action(*, party: Party, limit: int = 3) -> list[Dossier]:
    """Unpaid dossiers whose payment deadline comes first."""
    return list(
        Dossier.objects.filter(party=party, status__in=UNPAID_STATUSES)
        .annotate(due=_due_expression())
        .filter(due__gt=0)
        .select_related("municipality")
        .only(*OVERVIEW_COLUMNS)
        .order_by(F("pay_by").asc(nulls_last=True), "id")[:limit]
    )


def dossier_municipalities(*, party: Party):
    from eloket.models import Municipality

    return (
        Municipality.objects.filter(dossiers__party=party)
        .distinct()
        .order_by("name_nl")
        .only("id", "name_nl", "name_fr", "name_en", "name_de")
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
