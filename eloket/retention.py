"""Retention: anonymise or delete what the e-loket no longer needs, per organisation and dossier kind.

``retention_apply(now=…, dry_run=…)`` reads the ``RetentionPolicy`` rows (code defaults below where
there are none), selects what is due category by category with one query per group of
organisations and kinds that share a period and an action, and works through it in batches of ids
(keyset pagination, ``BATCH_SIZE`` rows in memory at a time), each batch in its own transaction.
Files of deleted evidence and attachments leave the private storage after that transaction commits.

Never touched: a dossier that is not closed for its kind, still owes money, can still be contested
(``contest_by`` not passed), has an open submission, an unfinished payment, a refund not done or an
unmatched bank movement. Payment records are anonymised with their dossier and deleted only by the
``payments`` category, which refuses less than 7 years (docs/retention.md).

A dry run also names the stored files (evidence, submission attachments) that would go: the
attachments category's own and those deleted along with an anonymised or deleted dossier or
submission (counted under ``attachments`` without an organisation, as the real run counts them).

Side effects: rows updated or deleted, files removed, one log line per category with counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from eloket.constants import (
    PAYMENT_UNFINISHED,
    VOID_STATUSES,
    DossierKind,
    MovementStatus,
    NotificationStatus,
    PartyKind,
    RefundStatus,
)
from eloket.models import (
    BankMovement,
    CodaImport,
    DigestLine,
    Dossier,
    Evidence,
    Notification,
    Organisation,
    OutboxEvent,
    Party,
    Payment,
    PaymentItem,
    PermitScope,
    ProviderEvent,
    Refund,
    RetentionPolicy,
    TimelineEvent,
    WebhookDelivery,
)
from eloket.models.retention import (
    KINDLESS_CATEGORIES,
    RetentionAction,
    RetentionCategory,
    period_cutoff,
)
from eloket.policies import policy_for

logger = logging.getLogger("eloket.retention")

BATCH_SIZE = 1000
ANONYMISED_NAME = "Geanonimiseerd"
# Keyed hashes are 64 hex digits: these never collide with a real party.
SENTINEL_HASHES = {PartyKind.PERSON: "anonymised:person", PartyKind.ENTERPRISE: "anonymised:enterprise"}

C, A = RetentionCategory, RetentionAction


@dataclass(frozen=True)
class Rule:
    period: int
    unit: str
    action: str


# Used where no RetentionPolicy row applies; each one is explained in docs/retention.md.
DEFAULT_RULES: dict[str, Rule] = {
    C.DOSSIERS: Rule(60, "months", A.ANONYMISE),
    C.SUBMISSIONS: Rule(60, "months", A.ANONYMISE),
    C.ATTACHMENTS: Rule(24, "months", A.DELETE),
    C.EMAILS: Rule(24, "months", A.DELETE),
    C.LOGS: Rule(90, "days", A.DELETE),
    C.PAYMENTS: Rule(120, "months", A.DELETE),
}

CANCELLED = tuple(sorted(VOID_STATUSES))


@dataclass
class RetentionReport:
    """Counts per (organisation id or None, category, action); ``names`` for printing; ``files``, in a
    dry run: the storage names of the files that would be removed (the real run removes them and
    keeps counts only, so that its memory does not grow with the backlog)."""

    dry_run: bool
    now: dt.datetime
    counts: Counter = field(default_factory=Counter)
    # False when the time budget ran out: what is left is done by the next run.
    complete: bool = True
    names: dict[int | None, str] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    def file_names(self) -> list[str]:
        return sorted(self.files)

    def add(self, organisation_id: int | None, category: str, action: str, count: int) -> None:
        if count:
            self.counts[(organisation_id, category, action)] += count

    def total(self, *, category: str | None = None, action: str | None = None) -> int:
        return sum(
            n
            for (_org, cat, act), n in self.counts.items()
            if (category is None or cat == category) and (action is None or act == action)
        )

    def rows(self) -> list[tuple[str, str, str, int]]:
        return sorted(
            (self.names.get(org, "—" if org is None else str(org)), cat, act, n)
            for (org, cat, act), n in self.counts.items()
        )


# -- Policies: who may set them ---------------------------------------------------------------------------

ACTION_POLICY_SAVE = "eloket.retention_policy_save"


def retention_policy_visible(*, user) -> QuerySet[RetentionPolicy]:
    """The rows ``user`` may see and change: all for a superuser, else those of the organisations
    they coordinate (never the platform rows)."""
    from eloket.integrations import coordinator_organisations

    if getattr(user, "is_superuser", False) and user.is_active:
        return RetentionPolicy.objects.all()
    return RetentionPolicy.objects.filter(organisation__in=coordinator_organisations(user=user).values("pk"))


@transaction.atomic
def retention_policy_save(*, policy: RetentionPolicy, user) -> RetentionPolicy:
    """Validate and save a retention row set by ``user`` (a coordinator of its organisation, or a
    superuser for any row and for the platform rows); writes the admin's audit log."""
    from django.core.exceptions import PermissionDenied
    from wagtail.log_actions import log

    from eloket.integrations import coordinator_organisations

    if not user.is_superuser and (
        policy.organisation_id is None
        or not coordinator_organisations(user=user).filter(pk=policy.organisation_id).exists()
    ):
        raise PermissionDenied
    policy.updated_by = user
    policy.full_clean()
    created = policy.pk is None
    policy.save()
    log(instance=policy, action="wagtail.create" if created else "wagtail.edit", user=user)
    return policy


# -- Which rule applies where ------------------------------------------------------------------------


class Rules:
    """The effective rule for each (organisation, kind) of a category, and the groups that share one."""

    def __init__(self, *, policies: list[RetentionPolicy], organisation_ids: list[int]):
        self.by_key = {(p.organisation_id, p.dossier_kind, p.category): p for p in policies}
        self.organisation_ids = organisation_ids

    def rule(self, *, category: str, organisation_id: int | None, kind: str) -> Rule:
        kind = "" if category in KINDLESS_CATEGORIES else kind
        for key in ((organisation_id, kind), (organisation_id, ""), (None, kind), (None, "")):
            policy = self.by_key.get((*key, category))
            if policy is not None:
                return Rule(policy.period, policy.unit, policy.action)
        return DEFAULT_RULES[category]

    def groups(self, *, category: str, kinds: list[str]) -> dict[Rule, list[tuple[int | None, str]]]:
        """Rule → the (organisation id, kind) pairs it governs; None: rows without an organisation."""
        grouped: dict[Rule, list[tuple[int | None, str]]] = {}
        for organisation_id in [*self.organisation_ids, None]:
            for kind in kinds:
                rule = self.rule(category=category, organisation_id=organisation_id, kind=kind)
                grouped.setdefault(rule, []).append((organisation_id, kind))
        return grouped


def _scope_q(pairs: list[tuple[int | None, str]], *, org_field: str, kind_field: str | None) -> Q:
    """One OR-term per kind: ``org IN (…) AND kind = k`` (and ``org IS NULL`` for None)."""
    by_kind: dict[str, list[int | None]] = {}
    for organisation_id, kind in pairs:
        by_kind.setdefault(kind, []).append(organisation_id)
    query = Q(pk__in=[])
    for kind, organisation_ids in by_kind.items():
        ids = [i for i in organisation_ids if i is not None]
        term = Q(**{f"{org_field}__in": ids})
        if None in organisation_ids:
            term |= Q(**{f"{org_field}__isnull": True})
        if kind_field is not None:
            term &= Q(**{kind_field: kind})
        query |= term
    return query


# -- What may be touched -----------------------------------------------------------------------------


def sentinel_parties() -> dict[str, Party]:
    """The two parties anonymised records are moved to (a dossier's party may not be empty)."""
    parties = {}
    for kind, hashed in SENTINEL_HASHES.items():
        parties[kind], _created = Party.objects.get_or_create(
            identifier_hash=hashed,
            defaults={"kind": kind, "identifier_masked": "", "display_name": ANONYMISED_NAME},
        )
    return parties


def _closed_q(prefix: str = "") -> Q:
    """Closed for its own kind (each kind's policy names its closed statuses)."""
    query = Q(pk__in=[])
    for kind in DossierKind.values:
        query |= Q(**{f"{prefix}kind": kind, f"{prefix}status__in": policy_for(kind).closed_statuses})
    return query


def dossiers_settled(*, today: dt.date) -> QuerySet[Dossier]:
    """Closed dossiers with nothing left open: the only ones retention may touch."""
    from forms.constants import OPEN_STATUSES
    from forms.models import Submission

    return (
        Dossier.objects.filter(_closed_q())
        .filter(
            Q(status__in=CANCELLED) | Q(amount_paid_cents__gte=F("amount_original_cents") + F("costs_cents"))
        )
        .filter(Q(contest_by__isnull=True) | Q(contest_by__lt=today))
        .exclude(Exists(Submission.objects.filter(dossier=OuterRef("pk"), status__in=OPEN_STATUSES)))
        .exclude(
            Exists(PaymentItem.objects.filter(dossier=OuterRef("pk"), payment__status__in=PAYMENT_UNFINISHED))
        )
        .exclude(Exists(Refund.objects.filter(dossier=OuterRef("pk")).exclude(status=RefundStatus.SUCCEEDED)))
        .exclude(Exists(BankMovement.objects.filter(dossier=OuterRef("pk"), status=MovementStatus.UNMATCHED)))
    )


def _submissions_settled():
    from forms.constants import OPEN_STATUSES
    from forms.models import Submission

    closed_anywhere = {s for kind in DossierKind.values for s in policy_for(kind).closed_statuses}
    return Submission.objects.exclude(status__in=OPEN_STATUSES).filter(
        Q(dossier__isnull=True) | Q(dossier__status__in=closed_anywhere)
    )


def _submission_closed_before(cutoff: dt.datetime) -> Q:
    return Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)


# -- The run -----------------------------------------------------------------------------------------


def retention_apply(
    *, now: dt.datetime, dry_run: bool, time_budget_s: float | None = None
) -> RetentionReport:
    """Anonymise or delete everything due at ``now``; with ``dry_run`` only count it. With a time
    budget no new batch starts once it is spent (every finished batch is committed): the task queue's
    timeout never kills a run halfway, and the next run carries on where this one stopped."""
    organisations = dict(Organisation.objects.values_list("pk", "name_nl"))
    rules = Rules(policies=list(RetentionPolicy.objects.all()), organisation_ids=sorted(organisations))
    report = RetentionReport(dry_run=dry_run, now=now, names={**organisations, None: "—"})
    run = _Run(rules=rules, report=report, now=now, dry_run=dry_run, time_budget_s=time_budget_s)
    # Payment records first: a dossier whose money records are gone may then be deleted. Files before
    # the records they belong to, so that each file is counted once, as an attachment.
    for step in (run.payments, run.attachments, run.submissions, run.dossiers, run.emails, run.logs):
        step()
    if not report.complete:
        logger.warning("retention_stopped_early time_budget_s=%s done=%d", time_budget_s, report.total())
    for category in RetentionCategory.values:
        logger.info(
            "retention_applied category=%s dry_run=%s anonymised=%d deleted=%d",
            category,
            dry_run,
            report.total(category=category, action=A.ANONYMISE),
            report.total(category=category, action=A.DELETE),
        )
    return report


def _delete_files_after_commit(names: list[tuple[object, str]]) -> None:
    def remove():
        for storage, name in names:
            if name:
                storage.delete(name)

    if names:
        transaction.on_commit(remove)


class _Run:
    def __init__(
        self,
        *,
        rules: Rules,
        report: RetentionReport,
        now: dt.datetime,
        dry_run: bool,
        time_budget_s: float | None = None,
    ):
        self.rules, self.report, self.now, self.dry_run = rules, report, now, dry_run
        self.stop_at = None if time_budget_s is None else time.monotonic() + time_budget_s
        self.today = now.date()
        self._sentinels: dict[str, Party] | None = None
        # The dry run's payments step deletes nothing, so the dossiers step is told what it would
        # have deleted: a dossier whose money records go in this run is deleted, not anonymised.
        self._doomed_payments = Q(pk__in=[])
        self._doomed_movements = Q(pk__in=[])
        self._doomed_refunds = Q(pk__in=[])
        # The dry run's file records already foreseen, ("evidence" | "attachment", pk): a file the
        # attachments step would delete is not counted again with its dossier or submission.
        self._foreseen: set[tuple[str, int]] = set()

    @property
    def sentinels(self) -> dict[str, Party]:
        if self._sentinels is None:
            self._sentinels = sentinel_parties()
        return self._sentinels

    def _sentinel_ids(self) -> list[int]:
        if self.dry_run:
            return list(
                Party.objects.filter(identifier_hash__in=SENTINEL_HASHES.values()).values_list(
                    "pk", flat=True
                )
            )
        return [party.pk for party in self.sentinels.values()]

    def _each_group(self, category: str, kinds: list[str]):
        for rule, pairs in self.rules.groups(category=category, kinds=kinds).items():
            yield rule, period_cutoff(now=self.now, period=rule.period, unit=rule.unit), pairs

    def _batches(self, queryset: QuerySet, org_field: str):
        """Lists of (pk, organisation id), ``BATCH_SIZE`` at a time, by ascending pk. A dry run counts
        per organisation in one grouped query instead."""
        last = 0
        while True:
            if self.stop_at is not None and time.monotonic() >= self.stop_at:
                self.report.complete = False
                return
            rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", org_field)[:BATCH_SIZE])
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def _count(self, queryset: QuerySet, org_field: str, category: str, action: str) -> None:
        from django.db.models import Count

        for row in queryset.order_by().values(org_field).annotate(n=Count("pk")):
            self.report.add(row[org_field], category, action, row["n"])

    def _record(self, rows, category: str, action: str) -> None:
        for organisation_id, n in Counter(org for _pk, org in rows).items():
            self.report.add(organisation_id, category, action, n)

    # -- dossiers ------------------------------------------------------------------------------------

    def dossiers(self) -> None:
        sentinel_ids = self._sentinel_ids()
        settled = dossiers_settled(today=self.today).exclude(party_id__in=sentinel_ids)
        # Money records left after the payments step (in a dry run: those it would not delete).
        doomed = Payment.objects.filter(self._doomed_payments).values("pk")
        money = (
            Exists(PaymentItem.objects.filter(dossier=OuterRef("pk")).exclude(payment__in=doomed))
            | Exists(
                Refund.objects.filter(dossier=OuterRef("pk"))
                .exclude(payment__in=doomed)
                .exclude(pk__in=Refund.objects.filter(self._doomed_refunds).values("pk"))
            )
            | Exists(
                BankMovement.objects.filter(dossier=OuterRef("pk"))
                .exclude(payment__in=doomed)
                .exclude(pk__in=BankMovement.objects.filter(self._doomed_movements).values("pk"))
            )
        )
        for rule, cutoff, pairs in self._each_group(C.DOSSIERS, DossierKind.values):
            due = settled.filter(
                _scope_q(pairs, org_field="organisation_id", kind_field="kind"), updated_at__lt=cutoff
            )
            if rule.action == A.DELETE:
                # Money records stay for the accounting period: such a dossier is anonymised instead.
                keep, drop = due.filter(money), due.exclude(money)
            else:
                keep, drop = due, due.none()
            if self.dry_run:
                self._count(keep, "organisation_id", C.DOSSIERS, A.ANONYMISE)
                self._count(drop, "organisation_id", C.DOSSIERS, A.DELETE)
                # Both anonymising and deleting a dossier delete its evidence.
                self._side_files_foresee(Evidence.objects.filter(dossier__in=due), "evidence")
                continue
            for rows in self._batches(keep, "organisation_id"):
                self._dossiers_anonymise([pk for pk, _org in rows])
                self._record(rows, C.DOSSIERS, A.ANONYMISE)
            for rows in self._batches(drop, "organisation_id"):
                self._dossiers_delete([pk for pk, _org in rows])
                self._record(rows, C.DOSSIERS, A.DELETE)

    @transaction.atomic
    def _dossiers_anonymise(self, ids: list[int]) -> None:
        party_ids = set(Dossier.objects.filter(pk__in=ids).values_list("party_id", flat=True))
        for kind, sentinel in self.sentinels.items():
            Dossier.objects.filter(pk__in=ids, party__kind=kind).update(
                party=sentinel, plate="", plate_normalised="", extra_plates=[], street="", street_key="",
                house_number="", latitude=None, longitude=None,
            )  # fmt: skip
        TimelineEvent.objects.filter(dossier_id__in=ids).update(actor=None, actor_label="", note="", data={})
        self._side_files(self._evidence_delete(Evidence.objects.filter(dossier_id__in=ids)))
        PermitScope.objects.filter(permit_id__in=ids).delete()
        OutboxEvent.objects.filter(dossier_id__in=ids).update(party=None, data={})
        DigestLine.objects.filter(dossier_id__in=ids).delete()
        self._payments_anonymise(
            Payment.objects.filter(pk__in=PaymentItem.objects.filter(dossier_id__in=ids).values("payment_id"))
        )
        Refund.objects.filter(dossier_id__in=ids).update(
            counterparty_iban="", counterparty_name="", note="", completed_by=None
        )
        BankMovement.objects.filter(dossier_id__in=ids).update(
            counterparty_iban="", counterparty_name="", communication="", resolution_note="", resolved_by=None
        )
        self._parties_orphaned_delete(party_ids)

    @transaction.atomic
    def _dossiers_delete(self, ids: list[int]) -> None:
        from forms.models import Submission

        party_ids = set(Dossier.objects.filter(pk__in=ids).values_list("party_id", flat=True))
        self._side_files(self._evidence_delete(Evidence.objects.filter(dossier_id__in=ids)))
        # What citizens sent about the dossier follows its own (submissions) policy.
        Submission.objects.filter(dossier_id__in=ids).update(dossier=None)
        # Cascades to the timeline, permit scopes and matches, outbox events, deliveries, digest lines.
        Dossier.objects.filter(pk__in=ids).delete()
        self._parties_orphaned_delete(party_ids)

    def _side_files(self, count: int) -> None:
        """Files that went with their anonymised or deleted record (their own period was longer):
        counted as attachments, without an organisation."""
        self.report.add(None, C.ATTACHMENTS, A.DELETE, count)

    def _files_foresee(self, records: QuerySet, label: str, org_field: str | None = None) -> int:
        """Dry run: note the files of ``records`` (evidence or attachments) as going, each record once;
        counted per organisation under ``attachments`` when ``org_field`` is given. Returns how many
        records were new."""
        fields = ("pk", "file", org_field) if org_field else ("pk", "file")
        new = 0
        for pk, name, *organisation in records.order_by().values_list(*fields).iterator(chunk_size=2000):
            if (label, pk) in self._foreseen:
                continue
            self._foreseen.add((label, pk))
            new += 1
            if name:
                self.report.files.add(name)
            if org_field:
                self.report.add(organisation[0], C.ATTACHMENTS, A.DELETE, 1)
        return new

    def _side_files_foresee(self, records: QuerySet, label: str) -> None:
        self._side_files(self._files_foresee(records, label))

    def _files_remove(self, records: QuerySet, field_of) -> int:
        """Delete ``records`` and, after commit, their files. Returns how many records went."""
        storage = field_of._meta.get_field("file").storage
        names = list(records.values_list("file", flat=True))
        records.delete()
        _delete_files_after_commit([(storage, name) for name in names])
        return len(names)

    def _evidence_delete(self, evidence: QuerySet[Evidence]) -> int:
        return self._files_remove(evidence, Evidence)

    def _parties_orphaned_delete(self, party_ids: set[int]) -> None:
        """Parties left with nothing (no dossier, payment, submission or login) go too."""
        from forms.models import Submission

        orphans = (
            Party.objects.filter(pk__in=party_ids)
            .exclude(identifier_hash__in=SENTINEL_HASHES.values())
            .exclude(Exists(Dossier.objects.filter(party=OuterRef("pk"))))
            .exclude(Exists(Payment.objects.filter(party=OuterRef("pk"))))
            .exclude(Exists(Submission.objects.filter(party=OuterRef("pk"))))
            .exclude(representations__isnull=False)
        )
        orphans.delete()

    # -- payments ------------------------------------------------------------------------------------

    def _payments_anonymise(self, payments: QuerySet[Payment]) -> None:
        """A payment is anonymised once every dossier it paid is (it may have paid several)."""
        sentinel_ids = [p.pk for p in self.sentinels.values()]
        pending = Exists(
            PaymentItem.objects.filter(payment=OuterRef("pk")).exclude(dossier__party_id__in=sentinel_ids)
        )
        ids = list(payments.exclude(pending).exclude(party_id__in=sentinel_ids).values_list("pk", flat=True))
        if ids:
            self._payments_apply(ids, A.ANONYMISE)

    def payments(self) -> None:
        """Payment records of settled dossiers, older than the period: deleted (or anonymised)."""
        settled = dossiers_settled(today=self.today)
        for rule, cutoff, pairs in self._each_group(C.PAYMENTS, [""]):
            scope = _scope_q(pairs, org_field="organisation_id", kind_field=None)
            payments = (
                Payment.objects.filter(scope, created_at__lt=cutoff)
                .exclude(status__in=PAYMENT_UNFINISHED)
                .exclude(
                    Exists(PaymentItem.objects.filter(payment=OuterRef("pk")).exclude(dossier__in=settled))
                )
                .exclude(
                    Exists(
                        Refund.objects.filter(payment=OuterRef("pk")).exclude(status=RefundStatus.SUCCEEDED)
                    )
                )
            )
            movements = BankMovement.objects.filter(
                scope, payment__isnull=True, entry_date__lt=cutoff.date()
            ).exclude(status=MovementStatus.UNMATCHED)
            # Refunds a clerk made by hand (no payment) go with the rest of the money records.
            manual_refunds = Refund.objects.filter(
                _scope_q(pairs, org_field="dossier__organisation_id", kind_field=None),
                payment__isnull=True,
                status=RefundStatus.SUCCEEDED,
                created_at__lt=cutoff,
                dossier__in=settled,
            )
            if rule.action == A.ANONYMISE:
                payments = payments.exclude(party_id__in=self._sentinel_ids())
                movements = movements.exclude(counterparty_iban="", counterparty_name="", communication="")
                manual_refunds = manual_refunds.exclude(counterparty_iban="", counterparty_name="", note="")
            if self.dry_run:
                self._count(payments, "organisation_id", C.PAYMENTS, rule.action)
                self._count(movements, "organisation_id", C.PAYMENTS, rule.action)
                self._count(manual_refunds, "dossier__organisation_id", C.PAYMENTS, rule.action)
                if rule.action == A.DELETE:
                    self._doomed_payments |= Q(pk__in=payments.values("pk"))
                    self._doomed_movements |= Q(pk__in=movements.values("pk"))
                    self._doomed_refunds |= Q(pk__in=manual_refunds.values("pk"))
                continue
            for rows in self._batches(payments, "organisation_id"):
                self._payments_apply([pk for pk, _org in rows], rule.action)
                self._record(rows, C.PAYMENTS, rule.action)
            blank = {"counterparty_iban": "", "counterparty_name": ""}
            for queryset, org_field, wipe in (
                (movements, "organisation_id", {**blank, "communication": "", "resolution_note": ""}),
                (manual_refunds, "dossier__organisation_id", {**blank, "note": ""}),
            ):
                for rows in self._batches(queryset, org_field):
                    batch = queryset.model.objects.filter(pk__in=[pk for pk, _org in rows])
                    with transaction.atomic():
                        batch.delete() if rule.action == A.DELETE else batch.update(**wipe)
                    self._record(rows, C.PAYMENTS, rule.action)
            if rule.action == A.DELETE:
                CodaImport.objects.filter(scope, imported_at__lt=cutoff).exclude(
                    Exists(BankMovement.objects.filter(coda_import=OuterRef("pk")))
                ).delete()

    @transaction.atomic
    def _payments_apply(self, ids: list[int], action: str) -> None:
        if action == A.ANONYMISE:
            payments = Payment.objects.filter(pk__in=ids)
            for kind, sentinel in self.sentinels.items():
                payments.filter(party__kind=kind).update(party=sentinel, created_by=None, checkout_url="")
            ProviderEvent.objects.filter(payment_id__in=ids).update(payload={})
            Refund.objects.filter(payment_id__in=ids).update(
                counterparty_iban="", counterparty_name="", note=""
            )
            BankMovement.objects.filter(payment_id__in=ids).update(
                counterparty_iban="", counterparty_name="", communication="", resolution_note=""
            )
            return
        party_ids = set(Payment.objects.filter(pk__in=ids).values_list("party_id", flat=True))
        ProviderEvent.objects.filter(payment_id__in=ids).delete()
        Refund.objects.filter(payment_id__in=ids).delete()
        BankMovement.objects.filter(payment_id__in=ids).delete()
        PaymentItem.objects.filter(payment_id__in=ids).delete()
        Payment.objects.filter(pk__in=ids).delete()
        # A dossier's refunds without a payment (refunded by hand) go with the dossier's own money.
        self._parties_orphaned_delete(party_ids)

    # -- submissions and attachments -------------------------------------------------------------------

    def submissions(self) -> None:
        from forms.models import Submission, SubmissionAttachment

        settled = _submissions_settled().exclude(contact_name=ANONYMISED_NAME)
        for rule, cutoff, pairs in self._each_group(C.SUBMISSIONS, ["", *DossierKind.values]):
            due = settled.filter(
                _scope_q(pairs, org_field="organisation_id", kind_field="dossier_kind"),
                _submission_closed_before(cutoff),
            )
            if self.dry_run:
                self._count(due, "organisation_id", C.SUBMISSIONS, rule.action)
                self._side_files_foresee(
                    SubmissionAttachment.objects.filter(submission__in=due), "attachment"
                )
                continue
            for rows in self._batches(due, "organisation_id"):
                ids = [pk for pk, _org in rows]
                self._submissions_apply(ids, rule.action, Submission)
                self._record(rows, C.SUBMISSIONS, rule.action)

    @transaction.atomic
    def _submissions_apply(self, ids: list[int], action: str, Submission) -> None:
        from forms.models import OrganisationLogEntry, SubmissionAttachment, SubmissionMessage

        party_ids = set(
            Submission.objects.filter(pk__in=ids, party__isnull=False).values_list("party_id", flat=True)
        )
        self._side_files(self._attachments_delete(SubmissionAttachment.objects.filter(submission_id__in=ids)))
        if action == A.ANONYMISE:
            Submission.objects.filter(pk__in=ids).update(
                contact_name=ANONYMISED_NAME, contact_email="", message="", form_data={}, party=None,
                submitted_by=None, plate_normalised="", decision_motivation="",
            )  # fmt: skip
            SubmissionMessage.objects.filter(submission_id__in=ids).update(body="", author_label="")
        else:
            OrganisationLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Submission),
                object_id__in=[str(pk) for pk in ids],
            ).delete()
            Submission.objects.filter(pk__in=ids).delete()
        self._parties_orphaned_delete(party_ids)

    def _attachments_delete(self, attachments) -> int:
        from forms.models import SubmissionAttachment

        return self._files_remove(attachments, SubmissionAttachment)

    def attachments(self) -> None:
        from forms.models import SubmissionAttachment

        settled_dossiers = dossiers_settled(today=self.today)
        settled_submissions = _submissions_settled()
        for _rule, cutoff, pairs in self._each_group(C.ATTACHMENTS, ["", *DossierKind.values]):
            evidence = Evidence.objects.filter(
                dossier__in=settled_dossiers.filter(
                    _scope_q(pairs, org_field="organisation_id", kind_field="kind"), updated_at__lt=cutoff
                )
            )
            attachments = SubmissionAttachment.objects.filter(
                submission__in=settled_submissions.filter(
                    _scope_q(pairs, org_field="organisation_id", kind_field="dossier_kind"),
                    _submission_closed_before(cutoff),
                )
            )
            if self.dry_run:
                self._files_foresee(evidence, "evidence", "dossier__organisation_id")
                self._files_foresee(attachments, "attachment", "submission__organisation_id")
                continue
            for rows in self._batches(evidence, "dossier__organisation_id"):
                with transaction.atomic():
                    self._evidence_delete(Evidence.objects.filter(pk__in=[pk for pk, _org in rows]))
                self._record(rows, C.ATTACHMENTS, A.DELETE)
            for rows in self._batches(attachments, "submission__organisation_id"):
                with transaction.atomic():
                    self._attachments_delete(
                        SubmissionAttachment.objects.filter(pk__in=[pk for pk, _org in rows])
                    )
                self._record(rows, C.ATTACHMENTS, A.DELETE)

    # -- e-mails and logs ----------------------------------------------------------------------------

    def emails(self) -> None:
        sent = Notification.objects.filter(
            status__in=[NotificationStatus.SENT, NotificationStatus.FAILED]
        ).exclude(to_email="")
        for rule, cutoff, pairs in self._each_group(C.EMAILS, ["", *DossierKind.values]):
            scope = _scope_q(
                [(org, kind) for org, kind in pairs if kind],
                org_field="dossier__organisation_id",
                kind_field="dossier__kind",
            ) | _scope_q(
                [(org, kind) for org, kind in pairs if not kind and org is None],
                org_field="dossier__organisation_id",
                kind_field=None,
            )
            due = sent.filter(scope, created_at__lt=cutoff)
            if self.dry_run:
                self._count(due, "dossier__organisation_id", C.EMAILS, rule.action)
                continue
            for rows in self._batches(due, "dossier__organisation_id"):
                ids = [pk for pk, _org in rows]
                with transaction.atomic():
                    if rule.action == A.DELETE:
                        Notification.objects.filter(pk__in=ids).delete()
                    else:
                        Notification.objects.filter(pk__in=ids).update(
                            to_email="",
                            subject="",
                            body_text="",
                            body_html="",
                            party=None,
                            user=None,
                            last_error="",
                        )
                self._record(rows, C.EMAILS, rule.action)

    def logs(self) -> None:
        from django_q.models import Task

        unfinished = [
            WebhookDelivery.Status.PENDING,
            WebhookDelivery.Status.SENDING,
            WebhookDelivery.Status.FAILED,
        ]
        for _rule, cutoff, pairs in self._each_group(C.LOGS, [""]):
            events = (
                OutboxEvent.objects.filter(
                    _scope_q(pairs, org_field="organisation_id", kind_field=None),
                    dispatched_at__isnull=False,
                    created_at__lt=cutoff,
                )
                .exclude(Exists(WebhookDelivery.objects.filter(event=OuterRef("pk"), status__in=unfinished)))
                .exclude(Exists(DigestLine.objects.filter(event=OuterRef("pk"), notification__isnull=True)))
            )
            if self.dry_run:
                self._count(events, "organisation_id", C.LOGS, A.DELETE)
            else:
                for rows in self._batches(events, "organisation_id"):
                    with transaction.atomic():
                        OutboxEvent.objects.filter(pk__in=[pk for pk, _org in rows]).delete()
                    self._record(rows, C.LOGS, A.DELETE)
            if any(org is None for org, _kind in pairs):
                # Platform records: the task queue's results and expired sessions.
                for queryset in (
                    Task.objects.filter(stopped__lt=cutoff),
                    Session.objects.filter(expire_date__lt=self.now),
                ):
                    if self.dry_run:
                        self.report.add(None, C.LOGS, A.DELETE, queryset.count())
                    else:
                        deleted, _by_model = queryset.delete()
                        self.report.add(None, C.LOGS, A.DELETE, deleted)
