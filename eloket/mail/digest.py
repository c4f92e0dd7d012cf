"""The daily digest: one mail a day for parties that asked for it (or companies, by default), listing
the dossiers that appeared or changed (their ``DigestLine`` rows) and the deadlines coming up.

Exactly once per party per day: the key ``digest:<party_id>:<date>``. The digest row and the update
that points its lines at it are one transaction per party, so a line is in exactly one digest: lines
that arrive after today's digest wait for tomorrow's. Deadline reminders of digest parties are listed
in the first digest sent on or after D − ``reminder_days_before`` (docs/mail.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eloket.constants import Language, TimelineEventKind, labels
from eloket.mail.content import MailFacts, translated_name
from eloket.mail.fan_out import event_data
from eloket.mail.queue import notifications_send_after_commit
from eloket.mail.reminders import Reminder, longest_period, reminder_candidates, sent_dates
from eloket.mail.render import render_mail
from eloket.models import DigestLine, Notification, Party
from eloket.models.integrations import EventType

logger = logging.getLogger(__name__)

TEMPLATE = "mail_digest"
LANGUAGES = frozenset(Language.values)
PARTIES_PER_TRANSACTION = 200


def digest_key(party_id: int, day: dt.date) -> str:
    return f"digest:{party_id}:{day.isoformat()}"


def mail_digests_send(*, now: dt.datetime | None = None) -> int:
    """Write today's digests (for parties without one yet today) and queue them. Returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminders = _reminders_due(today, now)
    party_ids = set(
        DigestLine.objects.filter(notification__isnull=True).values_list("party_id", flat=True).distinct()
    )
    party_ids |= reminders.keys()
    party_ids -= set(
        Notification.objects.filter(key__in=[digest_key(p, today) for p in party_ids]).values_list(
            "party_id", flat=True
        )
    )
    made = 0
    ordered = sorted(party_ids)
    for start in range(0, len(ordered), PARTIES_PER_TRANSACTION):
        made += _digests_for(ordered[start : start + PARTIES_PER_TRANSACTION], reminders, today)
    logger.info("mail_digests parties=%s queued=%s", len(party_ids), made)
    return made


def _reminders_due(today: dt.date, now: dt.datetime) -> dict[int, list[Reminder]]:
    """Digest parties' reminders that no earlier digest listed (one sent while the deadline was in
    its window did)."""
    candidates = reminder_candidates(today=today, daily=True)
    if not candidates:
        return {}
    sent = sent_dates(
        Notification.objects.filter(
            template=TEMPLATE,
            party_id__in={r.dossier.party_id for r in candidates},
            created_at__gte=now - longest_period(candidates),
        ).values_list("party_id", "created_at")
    )
    due: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in candidates:
        if reminder.drop_covered(sent.get(reminder.dossier.party_id, set())):
            due[reminder.dossier.party_id].append(reminder)
    return due


def _digests_for(party_ids: list[int], reminders: dict[int, list[Reminder]], today: dt.date) -> int:
    parties = Party.objects.in_bulk(party_ids)
    lines: dict[int, list[DigestLine]] = defaultdict(list)
    for line in (
        DigestLine.objects.filter(party_id__in=party_ids, notification__isnull=True)
        .select_related("event", "dossier")
        .order_by("id")
    ):
        lines[line.party_id].append(line)
    facts = MailFacts()
    facts.load([line.dossier for group in lines.values() for line in group if line.dossier is not None])
    facts.load([r.dossier for pid in party_ids for r in reminders.get(pid, ())])
    ids = []
    with transaction.atomic():
        for party_id in party_ids:
            party = parties.get(party_id)
            if party is None or not party.email or not party.email_verified:
                continue  # the lines wait until there is an address to write to
            notification = _digest(party, lines[party_id], reminders.get(party_id, []), facts, today)
            if notification is not None:
                ids.append(notification.pk)
        notifications_send_after_commit(ids)
    return len(ids)


def _digest(party, lines, reminders, facts: MailFacts, today: dt.date) -> Notification | None:
    lines = [line for line in lines if line.dossier is not None]
    if not lines and not reminders:
        return None
    language = party.language if party.language in LANGUAGES else Language.NL
    with translation.override(language):
        context = {
            "name": party.display_name,
            "count": len(lines) + len(reminders),
            "date": facts.date(language, today),
            "lines": [_line_text(line, facts, language) for line in lines],
            "reminders": [_reminder_text(r, facts, language) for r in reminders],
            "overview_link": facts.page_link(language, "eloket:overview"),
            "preferences_link": facts.preferences_link(language),
        }
    mail = render_mail(TEMPLATE, language, context)
    notification = Notification(
        key=digest_key(party.pk, today),
        template=TEMPLATE,
        to_email=party.email,
        language=language,
        subject=mail.subject[:255],
        body_text=mail.text,
        body_html=mail.html,
        party=party,
    )
    try:
        with transaction.atomic():
            notification.save()
            DigestLine.objects.filter(pk__in=[line.pk for line in lines], notification__isnull=True).update(
                notification=notification
            )
    except IntegrityError:  # another run wrote today's digest for this party first
        return None
    return notification


def _line_text(line: DigestLine, facts: MailFacts, language: str) -> dict[str, str]:
    dossier, event = line.dossier, line.event
    what = {
        "kind": facts.kind(language, dossier.kind),
        "organisation": translated_name(facts.organisations[dossier.organisation_id], language),
        "amount": facts.amount(language, dossier.amount_due_cents),
        "date": facts.date(language, dossier.pay_by),
    }
    if event.type == EventType.DOSSIER_CREATED:
        if dossier.amount_due_cents and dossier.pay_by:
            text = (
                _("Nieuw dossier: %(kind)s van %(organisation)s, %(amount)s te betalen vóór %(date)s") % what
            )
        else:
            text = _("Nieuw dossier: %(kind)s van %(organisation)s") % what
    elif event.type == EventType.DOSSIER_CANCELLED_BY_PERMIT:
        what["permit"] = event_data(event).get("permit") or "—"
        text = (
            _("%(kind)s geannuleerd wegens een geldige vergunning (%(permit)s): u hoeft niets te betalen")
            % what
        )
    elif event.type == EventType.DOSSIER_CANCELLED_BY_SESSION:
        what.update(facts.session(language, event_data(event)))
        what["provider"] = what["provider"] or "—"
        if what["refund"]:
            text = _("%(kind)s geannuleerd: betaald via %(provider)s. U krijgt %(refund)s terug") % what
        else:
            text = _("%(kind)s geannuleerd: betaald via %(provider)s. U hoeft niets te betalen") % what
    else:
        what["change"] = labels(TimelineEventKind).get(event_data(event).get("change"), "")
        if dossier.amount_due_cents and dossier.pay_by:
            text = _("%(kind)s: %(change)s. Nu te betalen: %(amount)s vóór %(date)s") % what
        else:
            text = _("%(kind)s: %(change)s") % what
    return {
        "reference": dossier.reference,
        "text": text,
        "link": facts.dossier_link(language, dossier.reference),
    }


def _reminder_text(reminder: Reminder, facts: MailFacts, language: str) -> dict[str, str]:
    dossier = reminder.dossier
    what = {
        "kind": facts.kind(language, dossier.kind),
        "amount": facts.amount(language, dossier.amount_due_cents),
        "pay_by": facts.date(language, reminder.pay_by),
        "contest_by": facts.date(language, reminder.contest_by),
    }
    parts = []
    if reminder.pay_by:
        parts.append(_("%(amount)s te betalen vóór %(pay_by)s") % what)
    if reminder.contest_by:
        parts.append(_("bezwaar of verweer mogelijk tot %(contest_by)s") % what)
    return {
        "reference": dossier.reference,
        "text": f"{what['kind']}: {'; '.join(parts)}",
        "link": facts.dossier_link(language, dossier.reference),
    }
