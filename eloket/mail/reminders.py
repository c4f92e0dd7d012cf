"""Deadline reminders: ``Organisation.reminder_days_before`` days before a dossier's ``pay_by`` or
``contest_by``, the citizen gets a mail (docs/mail.md).

Who gets one, in one query (``reminder_candidates``): a deadline D with D − days ≤ today ≤ D; the
dossier existed on D − days (a dossier with a shorter term than the reminder period gets none: its
new-dossier mail is that recent); for ``pay_by`` something is still due, for ``contest_by`` the
dossier's status still allows a contest or defence; never while the dossier is on hold (a contest or
defence under way) and never when it is closed (its policy's ``on_hold_statuses`` and
``closed_statuses``); the party has a verified address and wants reminders. The job runs every hour
from ``MAIL_DAILY_HOUR``: a day the worker was down is caught up on the next days, up to D itself.

Exactly once: the key ``deadline-reminder:<reference>:<D>``; and one mail covers every deadline of the
dossier that is in its window when it is sent (a pay and a contest deadline on the same day, or close
together), so a deadline that a reminder already mentioned gets no second one. Parties that get a
daily digest find their reminders in the digest instead (``eloket.mail.digest``), one digest a day.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone, translation

from eloket.constants import Language, MailFrequency, PartyKind
from eloket.mail.content import CONTEST_ACTIONS, MailFacts
from eloket.mail.queue import notification_keys_existing, notifications_write
from eloket.mail.render import MailRenderer
from eloket.models import Dossier, Notification, Organisation
from eloket.policies import policy_for, registered_kinds

logger = logging.getLogger(__name__)

TEMPLATE = "deadline_reminder"
LANGUAGES = frozenset(Language.values)


@dataclass
class Reminder:
    dossier: Dossier
    pay_by: dt.date | None = None  # in the window and something due
    contest_by: dt.date | None = None  # in the window and a contest or defence still possible

    @property
    def deadlines(self) -> list[dt.date]:
        return sorted({d for d in (self.pay_by, self.contest_by) if d is not None})

    @property
    def deadline(self) -> dt.date:
        return self.deadlines[0]

    @property
    def key(self) -> str:
        return f"deadline-reminder:{self.dossier.reference}:{self.deadline.isoformat()}"

    def drop_covered(self, sent_on: set[dt.date]) -> bool:
        """Forget the deadlines a mail sent on one of ``sent_on`` already covered (sent while the
        deadline was in its window). True when a deadline is left to remind of."""
        days = dt.timedelta(days=self.dossier.organisation.reminder_days_before)
        for name in ("pay_by", "contest_by"):
            deadline = getattr(self, name)
            if deadline is not None and any(deadline - days <= day <= deadline for day in sent_on):
                setattr(self, name, None)
        return bool(self.deadlines)


def sent_dates(rows) -> dict[int, set[dt.date]]:
    """(id, created_at) rows → the local dates on which something was sent, per id."""
    dates: dict[int, set[dt.date]] = {}
    for group, created in rows:
        dates.setdefault(group, set()).add(timezone.localdate(created))
    return dates


def _open_statuses(kind: str) -> set[str]:
    policy = policy_for(kind)
    return policy.statuses() - policy.closed_statuses - policy.on_hold_statuses


def _contest_statuses(kind: str) -> set[str]:
    policy = policy_for(kind)
    statuses = {s for s, actions in policy.actions_by_status.items() if CONTEST_ACTIONS & set(actions)}
    return statuses & _open_statuses(kind)


def daily_party_q(prefix: str = "party__") -> Q:
    """Parties that get one digest a day (``Party.mails_daily``), as a query."""
    return Q(**{f"{prefix}mail_frequency": MailFrequency.DAILY}) | Q(
        **{f"{prefix}mail_frequency": MailFrequency.AUTO, f"{prefix}kind": PartyKind.ENTERPRISE}
    )


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reminder_candidates(*, today: dt.date, daily: bool) -> list[Reminder]:
    """Dossiers with a deadline to remind of today (for digest parties when ``daily``), set-based."""
    pay_status = reduce(or_, (Q(kind=k, status__in=_open_statuses(k)) for k in registered_kinds()))
    contest_status = reduce(
        or_, (Q(kind=k, status__in=_contest_statuses(k)) for k in registered_kinds() if _contest_statuses(k))
    )
    windows = []
    periods = (
        Organisation.objects.filter(reminder_days_before__gt=0)
        .order_by()
        .values_list("reminder_days_before", flat=True)
        .distinct()
    )
    for days in periods:
        for offset in range(days + 1):
            deadline = today + dt.timedelta(days=offset)
            existed = Q(created_at__lt=_midnight(deadline - dt.timedelta(days=days - 1)))
            windows.append(
                Q(organisation__reminder_days_before=days)
                & existed
                & (Q(pay_by=deadline, due__gt=0) & pay_status | Q(contest_by=deadline) & contest_status)
            )
    if not windows:
        return []
    parties = Q(party__email_verified=True, party__mail_reminders=True) & ~Q(party__email="")
    parties &= daily_party_q() if daily else ~daily_party_q()
    dossiers = (
        Dossier.objects.annotate(
            due=Greatest(F("amount_original_cents") + F("costs_cents") - F("amount_paid_cents"), 0)
        )
        .filter(parties)
        .filter(reduce(or_, windows))
        .select_related("party", "organisation", "regulation")
        .order_by("id")
    )
    reminders = []
    for dossier in dossiers:
        reminder = _reminder_for(dossier, today)
        if reminder is not None:
            reminders.append(reminder)
    return reminders


def _reminder_for(dossier: Dossier, today: dt.date) -> Reminder | None:
    """Which of the dossier's deadlines are in its window (the query matched at least one)."""
    days = dossier.organisation.reminder_days_before
    reminder = Reminder(dossier=dossier)
    for name, allowed in (("pay_by", _open_statuses), ("contest_by", _contest_statuses)):
        deadline = getattr(dossier, name)
        if deadline is None or not (today <= deadline <= today + dt.timedelta(days=days)):
            continue
        if dossier.status not in allowed(dossier.kind):
            continue
        if name == "pay_by" and dossier.amount_due_cents == 0:
            continue
        setattr(reminder, name, deadline)
    return reminder if reminder.deadlines else None


def longest_period(reminders: list[Reminder]) -> dt.timedelta:
    return dt.timedelta(
        days=1 + max((r.dossier.organisation.reminder_days_before for r in reminders), default=0)
    )


def mail_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue today's reminders for parties that get each mail separately. Returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        reminders = reminder_candidates(today=today, daily=False)
        if not reminders:
            return 0
        sent = sent_dates(
            Notification.objects.filter(
                template=TEMPLATE,
                dossier_id__in=[r.dossier.pk for r in reminders],
                created_at__gte=now - longest_period(reminders),
            ).values_list("dossier_id", "created_at")
        )
        reminders = [r for r in reminders if r.drop_covered(sent.get(r.dossier.pk, set()))]
        existing = notification_keys_existing(r.key for r in reminders)
        due = [r for r in reminders if r.key not in existing]
        facts, renderer = MailFacts(), MailRenderer()
        facts.load([r.dossier for r in due])
        rows = [_notification(r, facts, renderer, today) for r in due]
        ids = notifications_write(rows)
    logger.info("mail_reminders candidates=%s queued=%s", len(reminders), len(ids))
    return len(ids)


def reminder_values(reminder: Reminder, facts: MailFacts, language: str, today: dt.date) -> tuple[dict, dict]:
    dossier, party = reminder.dossier, reminder.dossier.party
    shape, values = facts.dossier(dossier, party, language)
    if reminder.pay_by is None:
        values["amount"] = values["pay_by"] = values["iban"] = values["ogm"] = values["account_holder"] = ""
        shape["pay_online"] = False
    if reminder.contest_by is None:
        values["contest_by"] = ""
    values["deadline"] = facts.date(language, reminder.deadline)
    with translation.override(language):  # the policy words the reason in the active language
        step_up = dossier.policy.next_step_up(dossier, today) if reminder.pay_by else None
    values["step_up_date"] = facts.date(language, step_up.on) if step_up else ""
    values["step_up_amount"] = facts.amount(language, step_up.amount_cents) if step_up else ""
    values["step_up_reason"] = str(step_up.reason) if step_up else ""
    return shape, values


def _notification(
    reminder: Reminder, facts: MailFacts, renderer: MailRenderer, today: dt.date
) -> Notification:
    party = reminder.dossier.party
    language = party.language if party.language in LANGUAGES else Language.NL
    shape, values = reminder_values(reminder, facts, language, today)
    mail = renderer.render(TEMPLATE, language, shape=shape, values=values)
    return Notification(
        key=reminder.key,
        template=TEMPLATE,
        to_email=party.email,
        language=language,
        subject=mail.subject[:255],
        body_text=mail.text,
        body_html=mail.html,
        party_id=party.pk,
        dossier_id=reminder.dossier.pk,
    )
