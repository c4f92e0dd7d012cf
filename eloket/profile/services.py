"""Announcing dossiers to the citizen's Mijn Burgerprofiel: the outbox consumer that writes one row per
(event, person party), and the delivery of those rows with retries.

- ``announcements_fan_out(events)`` is in ``eloket.outbox.OUTBOX_CONSUMERS``. It runs inside the
  dispatch transaction and only writes ``ProfileAnnouncement`` rows (unique per event and party, so a
  second dispatch of the same event adds nothing); after commit one task sends them
  (``eloket.profile.tasks``). The events chosen are the ones the citizen is mailed about
  (``eloket.mail.fan_out``) plus the payment, decision and refund the payments and forms apps mail.
  Only person parties: a company follows its dossiers in "E-loket ondernemers", out of scope here.
  Nothing is written while ``PROFILE_ANNOUNCER`` is empty.
- ``announcement_attempt(id)`` claims a row in one UPDATE (pending, or failed and due → sending,
  ``attempts + 1``), so two workers never send the same one; the claim's time is its token, as for
  webhooks (``eloket.webhooks.delivery``). Success → ``succeeded``; a temporary failure → ``failed``
  with the next attempt after ``PROFILE_RETRY_MINUTES[attempts - 1]``; a permanent one, or the last
  of ``PROFILE_MAX_ATTEMPTS``, → ``gave_up``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from eloket.constants import VOID_STATUSES, DossierKind, DossierStatus, Language, PartyKind, labels
from eloket.constants import TimelineEventKind as E
from eloket.mail.content import MailFacts, translated_name
from eloket.mail.fan_out import (
    CANCELLED_EVENTS,
    DEMANDING_CHANGES,
    MAILED_CHANGES,
    cancelled_straight_from_issued,
    event_data,
)
from eloket.models import Dossier, OutboxEvent, Party, ProfileAnnouncement
from eloket.models.integrations import EventType
from eloket.profile.announcer import Announcement, AnnouncerError, announcer_get

logger = logging.getLogger(__name__)

A = ProfileAnnouncement.Status
CLAIMABLE = (A.PENDING, A.FAILED)
LANGUAGES = frozenset(Language.values)
# Events the citizen hears of, besides ``dossier.updated`` with one of ``MAILED_CHANGES``.
ANNOUNCED_EVENTS = frozenset(
    {
        EventType.DOSSIER_CREATED,
        EventType.DOSSIER_PAID,
        EventType.DOSSIER_CANCELLED_BY_PERMIT,
        EventType.DOSSIER_CANCELLED_BY_SESSION,
        EventType.DECISION,
        EventType.REFUND,
    }
)


DECIDED_KINDS = frozenset({"decided", E.DECIDED_UPHELD, E.DECIDED_PARTLY, E.DECIDED_REJECTED})


# -- The outbox consumer ------------------------------------------------------------------------------


def announcement_kind(event: OutboxEvent) -> str:
    """The stable code of what happened: the change of a ``dossier.updated``, else the event type."""
    if event.type == EventType.DOSSIER_UPDATED:
        return str(event_data(event).get("change") or "")
    return {
        EventType.DOSSIER_CREATED: "created",
        EventType.DOSSIER_PAID: E.PAID,
        EventType.DOSSIER_CANCELLED_BY_PERMIT: E.CANCELLED_BY_PERMIT,
        EventType.DOSSIER_CANCELLED_BY_SESSION: E.CANCELLED_BY_SESSION,
        EventType.DECISION: "decided",
        EventType.REFUND: E.REFUNDED,
    }[event.type]


def announcement_title(*, kind: str, dossier: Dossier, language: str) -> str:
    """The announcement's title in ``language`` (Dutch is the source)."""
    with translation.override(language):
        ref = {"ref": dossier.reference}
        if kind == "created":
            return _("Nieuw dossier %(ref)s: %(kind)s") % {**ref, "kind": labels(DossierKind)[dossier.kind]}
        titles = {
            E.PAID: _("Dossier %(ref)s is betaald"),
            E.CANCELLED: _("Dossier %(ref)s is geannuleerd"),
            E.CANCELLED_BY_PERMIT: _("Dossier %(ref)s is geannuleerd wegens een geldige vergunning"),
            E.CANCELLED_BY_SESSION: _("Dossier %(ref)s is geannuleerd: u betaalde al via app of sms"),
            E.REMINDER: _("Herinnering voor dossier %(ref)s"),
            E.FORMAL_NOTICE: _("Aangetekende aanmaning voor dossier %(ref)s"),
            E.ENFORCEABLE: _("De boete van dossier %(ref)s is definitief"),
            E.COLLECTION: _("Dossier %(ref)s is overgedragen voor invordering"),
            E.REFUNDED: _("Terugbetaling voor dossier %(ref)s uitgevoerd"),
        }
        # The three decided_* changes and the clerk's "dossier.decided" say the same.
        decided = _("Er is een beslissing over dossier %(ref)s")
        titles.update(dict.fromkeys(DECIDED_KINDS, decided))
        return titles[kind] % ref


def announcements_fan_out(events: list[OutboxEvent]) -> int:
    """One ``ProfileAnnouncement`` per event the citizen must know of and person party. Runs inside
    ``eloket.outbox.outbox_dispatch``'s transaction; a row that exists already (same event and party)
    is left alone. After commit one task sends the batch. Returns the number of rows offered."""
    if not settings.PROFILE_ANNOUNCER:
        return 0
    relevant = [e for e in events if e.dossier_id is not None and _is_announced(e)]
    if not relevant:
        return 0
    parties = _parties(relevant)
    untold = _never_told(relevant)
    outcome: Counter[str] = Counter()
    now = timezone.now()
    rows = []
    for event in relevant:
        party = parties.get(event.party_id or event.dossier.party_id)
        reason = _skip_reason(event, party, untold)
        if reason:
            outcome[reason] += 1
            continue
        language = party.language if party.language in LANGUAGES else Language.NL
        kind = announcement_kind(event)
        rows.append(
            ProfileAnnouncement(
                event_id=event.pk,
                party_id=party.pk,
                dossier_id=event.dossier_id,
                kind=kind,
                language=language,
                title=announcement_title(kind=kind, dossier=event.dossier, language=language)[:200],
                status=A.PENDING,
                next_attempt_at=now,
            )
        )
    if rows:
        ProfileAnnouncement.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        event_ids = sorted({row.event_id for row in rows})
        transaction.on_commit(lambda: async_task("eloket.profile.tasks.announcements_send_events", event_ids))
    logger.info(
        "profile_fan_out events=%s announcements=%s %s",
        len(relevant),
        len(rows),
        " ".join(f"{reason}={count}" for reason, count in sorted(outcome.items())),
    )
    return len(rows)


def _is_announced(event: OutboxEvent) -> bool:
    if event.type == EventType.DOSSIER_UPDATED:
        return event_data(event).get("change") in MAILED_CHANGES
    return event.type in ANNOUNCED_EVENTS


def _parties(events: list[OutboxEvent]) -> dict[int, Party]:
    parties = {e.party_id: e.party for e in events if e.party_id is not None and e.party is not None}
    missing = {e.party_id or e.dossier.party_id for e in events} - parties.keys()
    if missing:
        parties.update(Party.objects.in_bulk(missing))
    return parties


def _never_told(events: list[OutboxEvent]) -> set[int]:
    """Dossiers cancelled by a permit or a parking session straight from ``issued`` that were never
    announced: as for the mail (``eloket.mail.fan_out``), "cancelled" about a dossier the citizen
    never heard of would only puzzle them."""
    from_issued = cancelled_straight_from_issued(events)
    if not from_issued:
        return set()
    told = ProfileAnnouncement.objects.filter(dossier_id__in=from_issued).values_list("dossier_id", flat=True)
    return from_issued - set(told)


def _skip_reason(event: OutboxEvent, party: Party | None, untold: set[int]) -> str | None:
    if party is None:
        return "no_party"
    if party.kind != PartyKind.PERSON:
        return "not_a_person"
    dossier = event.dossier
    if event.type == EventType.DOSSIER_CREATED:
        return "void_already" if dossier.status in VOID_STATUSES else None
    if event.type in CANCELLED_EVENTS:
        return "never_told" if dossier.pk in untold else None
    if event_data(event).get("change") in DEMANDING_CHANGES and dossier.amount_due_cents == 0:
        return "nothing_due_now"
    return None


# -- What is sent ---------------------------------------------------------------------------------------


def party_key(party: Party) -> str:
    """The party's pseudonym for the profile: a keyed hash of its keyed hash, for this purpose only, so
    the profile's copy cannot be joined to our own rows. Never the national number."""
    key = settings.IDENTIFIER_HASH_KEY.encode()
    return hmac.new(key, f"mijn-burgerprofiel:{party.identifier_hash}".encode(), hashlib.sha256).hexdigest()


def announcement_build(row: ProfileAnnouncement, *, facts: MailFacts | None = None) -> Announcement:
    """The announcement as it is sent: its title as written at fan-out, the dossier as it stands now
    (a retry may show a later status). No names, addresses, e-mail addresses or national numbers."""
    facts = facts or MailFacts()
    dossier, language = row.dossier, row.language
    with translation.override(language):
        status_label = labels(DossierStatus)[dossier.status]
        kind_label = labels(DossierKind)[dossier.kind]
    void = dossier.status in VOID_STATUSES
    body = {
        "announcement_id": str(row.key),
        "case_id": dossier.reference,
        "party": party_key(row.party),
        "language": language,
        "event": row.kind,
        "title": row.title,
        "case": {
            "reference": dossier.reference,
            "kind": dossier.kind,
            "kind_label": kind_label,
            "status": dossier.status,
            "status_label": status_label,
            "organisation": translated_name(dossier.organisation, language),
            "amount_due_cents": dossier.amount_due_cents,
            "pay_by": dossier.pay_by.isoformat() if dossier.pay_by and not void else None,
            "link": facts.dossier_link(language, dossier.reference),
        },
        # A "melding" the citizen must act on (money due, no contest pending) rather than one to read.
        "action_required": not void
        and dossier.amount_due_cents > 0
        and not dossier.policy.is_on_hold(dossier),
        "occurred_at": row.event.created_at.astimezone(dt.UTC).isoformat(),
    }
    return Announcement(
        case_id=dossier.reference, party_key=body["party"], idempotency_key=str(row.key), body=body
    )


# -- Delivery -------------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    schedule = settings.PROFILE_RETRY_MINUTES or [1]
    return dt.timedelta(minutes=schedule[min(max(attempts, 1), len(schedule)) - 1])


def _due(now) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def announcement_claim(announcement_id: int) -> dt.datetime | None:
    """The claim's time when this worker now owns the row, None when it is not due or not ours."""
    now = timezone.now()
    claimed = (
        ProfileAnnouncement.objects.filter(pk=announcement_id, status__in=CLAIMABLE)
        .filter(_due(now))
        .update(status=A.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return now if claimed else None


def announcement_attempt(announcement_id: int, *, announcer=None, facts: MailFacts | None = None) -> str:
    """Claim and send one announcement; its new status, "skipped" when it was not claimable, or
    "off" when no announcer is configured (the row stays as it is)."""
    announcer = announcer or announcer_get()
    if announcer is None:
        return "off"
    claimed_at = announcement_claim(announcement_id)
    if claimed_at is None:
        return "skipped"
    row = ProfileAnnouncement.objects.select_related(
        "party", "event", "dossier", "dossier__organisation"
    ).get(pk=announcement_id)
    now = timezone.now()
    try:
        announcer.announce(announcement_build(row, facts=facts))
    except AnnouncerError as error:
        given_up = error.permanent or row.attempts >= settings.PROFILE_MAX_ATTEMPTS
        fields = {"last_error": str(error)[:200] or type(error).__name__}
        if given_up:
            fields.update(status=A.GAVE_UP, next_attempt_at=None)
        else:
            fields.update(status=A.FAILED, next_attempt_at=now + retry_delay(row.attempts))
    else:
        fields = {"status": A.SUCCEEDED, "sent_at": now, "next_attempt_at": None, "last_error": ""}
    written = ProfileAnnouncement.objects.filter(
        pk=announcement_id, status=A.SENDING, claimed_at=claimed_at
    ).update(**fields)
    if not written:  # reclaimed meanwhile (this worker was taken for dead): the newer claim records
        logger.warning("profile_outcome_dropped announcement=%s", announcement_id)
    logger.info(
        "profile_attempt announcement=%s event=%s dossier=%s attempt=%s status=%s",
        announcement_id,
        row.event_id,
        row.dossier_id,
        row.attempts,
        fields["status"],
    )
    return fields["status"]


def announcements_attempt(announcement_ids, *, budget_seconds: float = 240.0) -> dict[str, int]:
    """Attempt each in turn until the time budget is spent; the rest stay due for the retry job."""
    announcer = announcer_get()
    facts = MailFacts()
    started = time.monotonic()
    counts: dict[str, int] = {}
    ids = list(announcement_ids)
    for position, announcement_id in enumerate(ids):
        if time.monotonic() - started > budget_seconds:
            counts["left"] = len(ids) - position
            break
        status = announcement_attempt(announcement_id, announcer=announcer, facts=facts)
        counts[status] = counts.get(status, 0) + 1
    return counts


def announcements_reclaim() -> int:
    """Rows whose worker died mid-send (still ``sending`` after the claim timeout): due again, or given
    up after their last attempt. The profile may have had it: the Idempotency-Key covers that."""
    now = timezone.now()
    stuck = ProfileAnnouncement.objects.filter(
        status=A.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.PROFILE_CLAIM_TIMEOUT_SECONDS),
    )
    error = "interrupted: the worker stopped while sending"
    gave_up = stuck.filter(attempts__gte=settings.PROFILE_MAX_ATTEMPTS).update(
        status=A.GAVE_UP, next_attempt_at=None, last_error=error
    )
    retried = stuck.filter(attempts__lt=settings.PROFILE_MAX_ATTEMPTS).update(
        status=A.FAILED, next_attempt_at=now, last_error=error
    )
    if gave_up or retried:
        logger.warning("profile_announcements_reclaimed retried=%s gave_up=%s", retried, gave_up)
    return gave_up + retried


def announcements_due(*, limit: int) -> list[int]:
    now = timezone.now()
    return list(
        ProfileAnnouncement.objects.filter(status__in=CLAIMABLE)
        .filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
