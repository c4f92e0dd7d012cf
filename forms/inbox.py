"""Reads of the clerk side. Every read is scoped to ``eloket.selectors.staff_organisations(user=)``:
another organisation's submission, attachment or evidence is a 404, and a staff login without a
membership sees nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, When
from django.http import Http404
from django.utils import timezone

from eloket.models import Evidence, Municipality, Organisation, TimelineEvent, User
from eloket.plates import plate_normalise
from eloket.selectors import staff_organisations
from forms.constants import OPEN_STATUSES, SubmissionStatus
from forms.models import SavedFilter, StandardReply, Submission, SubmissionAttachment, SubmissionMessage

# "status=open" in the inbox: everything a clerk still has to do something about.
STATUS_OPEN = "open"
ASSIGNEE_ME = "me"
ASSIGNEE_NOBODY = "none"

# The inbox and its exports: one query for the rows, whatever their number.
INBOX_RELATED = ("dossier", "municipality", "assignee", "team", "organisation")


def clerk_organisations(*, user: User) -> QuerySet[Organisation]:
    return staff_organisations(user=user)


def clerk_submissions(*, user: User) -> QuerySet[Submission]:
    """Every submission of the clerk's organisations (a subquery: one query, however many memberships)."""
    if user.is_superuser and user.is_active:
        return Submission.objects.all()
    return Submission.objects.filter(organisation__in=staff_organisations(user=user).values("pk"))


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox's filter form asks for; every field optional."""

    status: str = ""
    purpose: str = ""
    dossier_kind: str = ""
    municipality_id: int | None = None
    assignee: str = ""  # "me", "none" or a user id
    overdue: bool = False
    filed_late: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""


def inbox_list(*, user: User, filters: InboxFilters, include_status: bool = True) -> QuerySet[Submission]:
    """The clerk's submissions under ``filters`` (unsorted; ``inbox_rows`` sorts and joins)."""
    queryset = clerk_submissions(user=user)
    for condition in _conditions(user=user, filters=filters, include_status=include_status):
        queryset = queryset.filter(condition)
    return queryset


def _status_condition(status: str) -> Q:
    return Q(status__in=OPEN_STATUSES) if status == STATUS_OPEN else Q(status=status)


def _assignee_condition(user: User, assignee: str) -> Q:
    if assignee == ASSIGNEE_ME:
        return Q(assignee=user)
    if assignee == ASSIGNEE_NOBODY:
        return Q(assignee__isnull=True)
    return Q(assignee_id=assignee)


def _conditions(*, user: User, filters: InboxFilters, include_status: bool) -> list[Q]:
    f = filters
    wanted = [
        (include_status and f.status, lambda: _status_condition(f.status)),
        (f.purpose, lambda: Q(purpose=f.purpose)),
        (f.dossier_kind, lambda: Q(dossier_kind=f.dossier_kind)),
        (f.municipality_id, lambda: Q(municipality_id=f.municipality_id)),
        (f.assignee, lambda: _assignee_condition(user, f.assignee)),
        (f.overdue, lambda: Q(status__in=OPEN_STATUSES, clerk_due__lt=timezone.localdate())),
        (f.filed_late, lambda: Q(filed_late=True)),
        (f.received_from, lambda: Q(submit_time__gte=_day_start(f.received_from))),
        (f.received_to, lambda: Q(submit_time__lt=_day_start(f.received_to + dt.timedelta(days=1)))),
        (f.q.strip(), lambda: _search(f.q)),
    ]
    return [build() for given, build in wanted if given]


def _day_start(day: dt.date) -> dt.datetime:
    # A range on the column (not ``__date``) so the database can use its index.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _search(text: str) -> Q:
    text = text.strip()
    condition = Q(reference__iexact=text) | Q(dossier__reference__iexact=text)
    plate = plate_normalise(text)
    if plate:
        condition |= Q(plate_normalised=plate)
    return condition


INBOX_COLUMNS = (
    "id", "reference", "submit_time", "purpose", "filed_late", "status", "clerk_due", "organisation_id",
    "dossier_id", "dossier__reference", "dossier__kind",
    "municipality_id", "municipality__name_nl", "municipality__name_fr", "municipality__name_en",
    "municipality__name_de",
    "assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username",
    "team_id", "team__name",
    "organisation__id",
)  # fmt: skip
# Every submission gets a clerk deadline when it arrives (forms.triage.submission_route), so the order
# needs no NULLS LAST, which SQLite cannot read from an index.
INBOX_ORDER = ("clerk_due", "submit_time", "id")
# Counts are cached until a submission of the organisations changes, and at most this long (a change
# committed out of order may otherwise hide behind a newer one).
COUNTS_TTL_S = 60
# Beyond this many decided (or closed) submissions the inbox shows "1000+": counting an organisation's
# whole history on every change would make the inbox slower with every year (docs/performance.md).
HISTORY_COUNT_CAP = 1000
HISTORY_STATUSES = frozenset(SubmissionStatus.values) - OPEN_STATUSES


def inbox_rows(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The rows as the inbox and the exports show them, sorted by the clerk deadline."""
    return queryset.select_related(*INBOX_RELATED).order_by(*INBOX_ORDER)


class InboxRows:
    """The inbox's rows for ``Paginator``: a page's ids come first, sorted from the ``submission_inbox``
    index alone, then only those rows are read with their joins.

    Sorting whole rows (all columns, four joins) for 20,000 matches to show 50 was the inbox's cost;
    sorting index entries and fetching 50 rows is not (docs/performance.md).
    """

    def __init__(self, queryset: QuerySet[Submission]):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        ids = list(self.queryset.order_by(*INBOX_ORDER).values_list("id", flat=True)[key])
        # The columns the inbox shows, not the form data or the message texts.
        queryset = inbox_rows(Submission.objects.filter(id__in=ids)).only(*INBOX_COLUMNS)
        rows = {row.id: row for row in queryset}
        return [rows[i] for i in ids]


def inbox_generation(*, user: User) -> str:
    """Changes whenever a submission of the user's organisations is written (``updated_at`` is set by
    every save in forms.services and forms.triage).

    Read once per request: ``request.user`` is loaded anew for every request, and the inbox, its menu
    badge and the cached admin sidebar (``eloket.admin_chrome``) all ask.
    """
    memo = getattr(user, "_eloket_inbox_generation", None)
    if memo is not None:
        return memo
    # One query whatever the number of organisations (an operator sees all of them): each
    # organisation's newest change is one backward step on the ``submission_org_changed`` index.
    newest = Submission.objects.filter(organisation_id=OuterRef("pk")).order_by("-updated_at")
    rows = list(
        staff_organisations(user=user)
        .order_by("id")
        .annotate(newest=Subquery(newest.values("updated_at")[:1]))
        .values_list("id", "newest")
    )
    generation = hashlib.sha256(repr(rows).encode()).hexdigest()[:32]
    user._eloket_inbox_generation = generation
    return generation


def _cached(*, user: User, name: str, key_data, compute):
    key = (
        f"inbox:{name}:{inbox_generation(user=user)}:"
        + hashlib.sha256(repr(key_data).encode()).hexdigest()[:32]
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, COUNTS_TTL_S)
    return value


def inbox_fragment_cached(*, user: User, key_data, render) -> dict[str, str]:
    """The inbox's rendered results for this request, from the cache while nothing changed.

    ``key_data`` holds what else the HTML depends on (the URL with its filters and page, the language,
    the CSRF secret of the forms in it); the day is in the key for the overdue markers.
    """
    key = (user.pk, key_data, timezone.localdate())
    return _cached(user=user, name="fragments", key_data=key, compute=render)


def inbox_status_counts(*, user: User, filters: InboxFilters) -> dict[str, int]:
    """How many submissions per status, under every filter but the status one (cached until a change)."""

    def compute() -> dict[str, int]:
        matching = inbox_list(user=user, filters=filters, include_status=False).order_by()
        rows = matching.filter(status__in=OPEN_STATUSES).values("status").annotate(n=Count("id"))
        counts = {status: 0 for status in SubmissionStatus.values}
        counts.update({row["status"]: row["n"] for row in rows})
        counts[STATUS_OPEN] = sum(counts[status] for status in OPEN_STATUSES)
        # Decided and closed submissions are the organisation's whole history, which only grows:
        # counted up to HISTORY_COUNT_CAP (a LIMIT inside the count), so the cost stays bounded.
        for status in HISTORY_STATUSES:
            counts[status] = matching.filter(status=status)[: HISTORY_COUNT_CAP + 1].count()
        return counts

    key_data = (user.pk, filters, timezone.localdate())
    return _cached(user=user, name="counts", key_data=key_data, compute=compute)


def inbox_open_count(*, user: User) -> int:
    """For the menu badge: open submissions of the clerk's organisations (cached until a change)."""
    return _cached(
        user=user,
        name="open",
        key_data=user.pk,
        compute=lambda: clerk_submissions(user=user).filter(status__in=OPEN_STATUSES).count(),
    )


def submission_get_for_clerk(*, user: User, reference: str) -> Submission:
    try:
        return (
            clerk_submissions(user=user)
            .select_related(*INBOX_RELATED, "party", "dossier__regulation")
            .get(reference=reference)
        )
    except Submission.DoesNotExist:
        raise Http404 from None


def attachment_get_for_clerk(*, user: User, reference: str, attachment_id: int) -> SubmissionAttachment:
    submission = submission_get_for_clerk(user=user, reference=reference)
    attachment = submission.attachments.filter(pk=attachment_id).exclude(scan_status="infected").first()
    if attachment is None:
        raise Http404
    return attachment


def evidence_get_for_clerk(*, user: User, reference: str, evidence_id: int) -> Evidence:
    """Evidence of the dossier a submission of the clerk's organisations is about."""
    submission = submission_get_for_clerk(user=user, reference=reference)
    if submission.dossier_id is None:
        raise Http404
    evidence = Evidence.objects.filter(dossier_id=submission.dossier_id, pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence


def submission_thread(*, submission: Submission) -> list[SubmissionMessage]:
    return list(submission.messages.select_related("author").prefetch_related("attachments"))


def submission_attachments(*, submission: Submission) -> list[SubmissionAttachment]:
    return list(submission.attachments.all())


def dossier_timeline(*, submission: Submission) -> list[TimelineEvent]:
    if submission.dossier_id is None:
        return []
    return list(
        TimelineEvent.objects.filter(dossier_id=submission.dossier_id).order_by("-occurred_at", "-id")
    )


def dossier_evidence(*, submission: Submission) -> list[Evidence]:
    if submission.dossier_id is None:
        return []
    return list(Evidence.objects.filter(dossier_id=submission.dossier_id))


def earlier_submissions(*, user: User, submission: Submission, limit: int = 20) -> list[Submission]:
    """Other submissions of the same party (or, without a party, the same e-mail address) that the clerk
    may see: only their own organisations'."""
    if submission.party_id:
        same = Q(party_id=submission.party_id)
    elif submission.contact_email:
        same = Q(contact_email__iexact=submission.contact_email)
    else:
        return []
    return list(
        clerk_submissions(user=user)
        .filter(same)
        .exclude(pk=submission.pk)
        .select_related("dossier")
        .order_by("-submit_time")[:limit]
    )


def organisation_clerks(*, organisation_id: int) -> QuerySet[User]:
    """Active staff logins with a membership of this organisation: whom a submission may go to."""
    return (
        User.objects.filter(staff_memberships__organisation_id=organisation_id, is_active=True, is_staff=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def clerks_of_organisations(*, user: User) -> QuerySet[User]:
    """Every clerk the user may assign to in some organisation of theirs (for filters and bulk assign)."""
    return (
        User.objects.filter(
            staff_memberships__organisation__in=staff_organisations(user=user).values("pk"),
            is_active=True,
            is_staff=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def clerk_municipalities(*, user: User) -> QuerySet[Municipality]:
    """The municipalities the clerk's organisations serve (for the inbox filter)."""
    return (
        Municipality.objects.filter(organisations__in=staff_organisations(user=user).values("pk"))
        .distinct()
        .order_by("name_nl")
    )


def standard_replies_for(*, submission: Submission) -> QuerySet[StandardReply]:
    """The organisation's standard replies for this purpose (or any purpose), in the citizen's language
    first."""
    return (
        StandardReply.objects.filter(organisation_id=submission.organisation_id)
        .filter(Q(purpose="") | Q(purpose=submission.purpose))
        # The citizen's language first, then the rest by title.
        .order_by(Case(When(language=submission.language, then=0), default=1), "title")
    )


def saved_filters_for(*, user: User) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user)
