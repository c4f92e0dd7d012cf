"""The outbox consumer that tells citizens: ``mail_fan_out(events)`` (listed in
``eloket.outbox.OUTBOX_CONSUMERS``).

It runs inside the dispatch transaction of a batch of events and only writes rows: outbox e-mails
(``Notification``, sent after commit by ``eloket.mail.tasks``) or, for parties that get one digest a
day, ``DigestLine`` rows. Which events become which mail, and the shape of ``dossier.updated``'s data,
are in docs/mail.md.
"""

from __future__ import annotations

import logging
from collections import Counter

from eloket.constants import VOID_STATUSES, DossierStatus, Language, TimelineEventKind
from eloket.mail.content import MailFacts
from eloket.mail.queue import notification_keys_existing, notifications_write
from eloket.mail.render import MailRenderer
from eloket.models import DigestLine, Notification, OutboxEvent, Party, PermitMatch, SessionMatch
from eloket.models.integrations import EventType

logger = logging.getLogger(__name__)

E = TimelineEventKind

# The changes a citizen must hear of (``dossier.updated`` with ``data["change"]`` one of these).
MAILED_CHANGES = frozenset(
    {
        E.PAID,
        E.CANCELLED,
        E.REMINDER,
        E.FORMAL_NOTICE,
        E.ENFORCEABLE,
        E.COLLECTION,
        E.DECIDED_UPHELD,
        E.DECIDED_PARTLY,
        E.DECIDED_REJECTED,
    }
)
# Changes that ask for money: not worth a mail once nothing is due any more.
DEMANDING_CHANGES = frozenset({E.REMINDER, E.FORMAL_NOTICE, E.ENFORCEABLE, E.COLLECTION})

TEMPLATES = {
    EventType.DOSSIER_CREATED: "dossier_created",
    EventType.DOSSIER_UPDATED: "dossier_updated",
    EventType.DOSSIER_CANCELLED_BY_PERMIT: "dossier_cancelled_by_permit",
    EventType.DOSSIER_CANCELLED_BY_SESSION: "dossier_cancelled_by_session",
}
# Good news that a retribution is void: worth a mail only to someone who knew of it.
CANCELLED_EVENTS = frozenset({EventType.DOSSIER_CANCELLED_BY_PERMIT, EventType.DOSSIER_CANCELLED_BY_SESSION})
LANGUAGES = frozenset(Language.values)


def event_data(event: OutboxEvent) -> dict:
    """The event's data, or nothing when a writer stored something that is not a JSON object."""
    return event.data if isinstance(event.data, dict) else {}


def mail_key(event: OutboxEvent) -> str:
    reference = event.dossier.reference
    if event.type == EventType.DOSSIER_CREATED:
        return f"dossier-created:{reference}"
    if event.type == EventType.DOSSIER_CANCELLED_BY_PERMIT:
        return f"dossier-cancelled-by-permit:{reference}"
    if event.type == EventType.DOSSIER_CANCELLED_BY_SESSION:
        return f"dossier-cancelled-by-session:{reference}"
    return f"dossier-updated:{reference}:{event_data(event).get('change')}:{event.event_id.hex}"


def mail_fan_out(events: list[OutboxEvent]) -> None:
    relevant = [e for e in events if e.type in TEMPLATES and e.dossier_id is not None]
    if not relevant:
        return
    parties = _parties(relevant)
    untold = _never_told(relevant)
    outcome: Counter[str] = Counter()
    wanted: list[tuple[OutboxEvent, Party]] = []
    lines: list[DigestLine] = []
    for event in relevant:
        party = parties.get(event.party_id or event.dossier.party_id)
        reason = _skip_reason(event, party, untold)
        if reason:
            outcome[reason] += 1
        elif party.mails_daily:
            lines.append(DigestLine(party=party, event=event, dossier_id=event.dossier_id))
        else:
            wanted.append((event, party))
    if lines:
        DigestLine.objects.bulk_create(lines, batch_size=1000, ignore_conflicts=True)
    existing = notification_keys_existing(mail_key(event) for event, _party in wanted)
    outcome["already_queued"] = sum(1 for event, _party in wanted if mail_key(event) in existing)
    wanted = [(event, party) for event, party in wanted if mail_key(event) not in existing]
    rows = _render(wanted)
    notifications_write(rows)
    logger.info(
        "mail_fan_out events=%s mails=%s digest_lines=%s %s",
        len(relevant),
        len(rows),
        len(lines),
        " ".join(f"{reason}={count}" for reason, count in sorted(outcome.items()) if count),
    )


def _parties(events: list[OutboxEvent]) -> dict[int, Party]:
    parties = {e.party_id: e.party for e in events if e.party_id is not None and e.party is not None}
    missing = {e.dossier.party_id for e in events if (e.party_id or e.dossier.party_id) not in parties}
    if missing:
        parties.update(Party.objects.in_bulk(missing))
    return parties


def cancelled_straight_from_issued(events: list[OutboxEvent]) -> set[int]:
    """The dossiers of ``events`` cancelled by a permit or a parking session straight from ``issued``
    (before any letter or mail told the citizen of them). Also used by ``eloket.profile``."""
    from_issued: set[int] = set()
    for event_type, match in (
        (EventType.DOSSIER_CANCELLED_BY_PERMIT, PermitMatch),
        (EventType.DOSSIER_CANCELLED_BY_SESSION, SessionMatch),
    ):
        ids = [e.dossier_id for e in events if e.type == event_type]
        if ids:
            from_issued |= set(
                match.objects.filter(dossier_id__in=ids, status_from=DossierStatus.ISSUED).values_list(
                    "dossier_id", flat=True
                )
            )
    return from_issued


def _never_told(events: list[OutboxEvent]) -> set[int]:
    """Dossiers cancelled by a permit or a parking session before the citizen heard of them: cancelled
    straight from ``issued`` (no letter yet) and no mail or digest line of ours about them. A mail
    saying "good news, cancelled" about a dossier they never saw would only puzzle them."""
    from_issued = cancelled_straight_from_issued(events)
    if not from_issued:
        return set()
    told = set(Notification.objects.filter(dossier_id__in=from_issued).values_list("dossier_id", flat=True))
    told |= set(DigestLine.objects.filter(dossier_id__in=from_issued).values_list("dossier_id", flat=True))
    return from_issued - told


def _skip_reason(event: OutboxEvent, party: Party | None, untold: set[int]) -> str | None:
    if party is None or not party.email or not party.email_verified:
        return "no_verified_address"
    dossier = event.dossier
    if event.type == EventType.DOSSIER_CREATED:
        if not party.mail_new_dossier:
            return "not_wanted"
        if dossier.status in VOID_STATUSES:
            return "void_already"
        return None
    if not party.mail_updates:
        return "not_wanted"
    if event.type in CANCELLED_EVENTS:
        return "never_told" if dossier.pk in untold else None
    change = event_data(event).get("change")
    if change not in MAILED_CHANGES:
        return "change_not_mailed"
    if change in DEMANDING_CHANGES and dossier.amount_due_cents == 0:
        return "nothing_due_now"
    return None


def _render(wanted: list[tuple[OutboxEvent, Party]]) -> list[Notification]:
    facts = MailFacts()
    facts.load([event.dossier for event, _party in wanted])
    renderer = MailRenderer()
    rows = []
    for event, party in wanted:
        language = party.language if party.language in LANGUAGES else Language.NL
        template = TEMPLATES[event.type]
        shape, values = facts.dossier(event.dossier, party, language)
        if event.type == EventType.DOSSIER_UPDATED:
            shape["change"] = event_data(event)["change"]
        elif event.type == EventType.DOSSIER_CANCELLED_BY_PERMIT:
            values["permit"] = str(event_data(event).get("permit") or "")
        elif event.type == EventType.DOSSIER_CANCELLED_BY_SESSION:
            values.update(facts.session(language, event_data(event)))
        mail = renderer.render(template, language, shape=shape, values=values)
        rows.append(
            Notification(
                key=mail_key(event),
                template=template,
                to_email=party.email,
                language=language,
                subject=mail.subject[:255],
                body_text=mail.text,
                body_html=mail.html,
                party_id=party.pk,
                dossier_id=event.dossier_id,
            )
        )
    return rows
