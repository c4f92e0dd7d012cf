"""Writes. Every change of a dossier, party or representation goes through a function here.

Functions are keyword-only, run in a transaction, call ``full_clean()`` and queue follow-ups with
``transaction.on_commit`` so that nothing is sent for a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eloket.constants import Decision, DossierKind, DossierStatus, TimelineEventKind
from eloket.identifiers import Identifier
from eloket.models import Dossier, EventType, Evidence, Party, Representation, TimelineEvent, User
from eloket.ogm import ogm_random
from eloket.outbox import outbox_emit
from eloket.places import street_key, zone_code_normalise
from eloket.plates import plate_normalise
from eloket.policies import policy_for
from eloket.references import reference_new
from eloket.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)


class TransitionNotAllowed(ValidationError):
    pass


def party_get_or_create(
    *, identifier: Identifier, display_name: str, email: str = "", language: str = "nl"
) -> tuple[Party, bool]:
    """The party with this national register or enterprise number; created when it is new."""
    party = Party.objects.filter(identifier_hash=identifier.hashed).first()
    if party is not None:
        return party, False
    party = Party(
        kind=identifier.kind,
        identifier_hash=identifier.hashed,
        identifier_masked=identifier.masked,
        display_name=display_name,
        email=email,
        language=language,
    )
    party.full_clean()
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError:  # created concurrently by another request
        return Party.objects.get(identifier_hash=identifier.hashed), False
    logger.info("party_created party=%s kind=%s", party.pk, party.kind)
    return party, True


def representation_add(*, user: User, party: Party, role: str) -> Representation:
    representation, _created = Representation.objects.get_or_create(
        user=user, party=party, defaults={"role": role}
    )
    return representation


@transaction.atomic
def dossier_create(
    *,
    kind: str,
    party: Party,
    organisation,
    municipality,
    external_id: str,
    regulation=None,
    amount_original_cents: int | None = None,
    reference: str | None = None,
    ogm: str | None = None,
    actor_label: str = "",
    occurred_at: dt.datetime | None = None,
    issued_at: dt.datetime | None = None,
    **fields: Any,
) -> Dossier:
    """A new dossier in its kind's initial status, with its ``issued`` timeline event.

    The amount is the one the regulation fixes for these facts (GAS 4/5, forfaits, permit fees);
    a source system may give it where the regulation does not. ``issued_at`` is when the source
    system issued it (default: the facts' time, else now).
    """
    policy = policy_for(kind)
    now = timezone.now()
    dossier = Dossier(
        kind=kind,
        status=policy.initial_status,
        party=party,
        organisation=organisation,
        municipality=municipality,
        regulation=regulation,
        external_id=external_id,
        reference=reference or reference_new(kind=kind, year=(occurred_at or now).year),
        ogm=ogm or ogm_random(),
        occurred_at=occurred_at,
        **fields,
    )
    dossier.plate_normalised = plate_normalise(dossier.plate)
    dossier.zone_code = zone_code_normalise(dossier.zone_code)
    dossier.street_key = street_key(dossier.street)
    computed = policy.compute_amount_cents(dossier)
    if computed is not None:
        dossier.amount_original_cents = computed
    elif amount_original_cents is not None:
        dossier.amount_original_cents = amount_original_cents
    dossier.full_clean()
    dossier.save()
    _timeline_append(
        dossier=dossier,
        kind=TimelineEventKind.ISSUED,
        status_to=dossier.status,
        occurred_at=issued_at or occurred_at or now,
        actor_label=actor_label or str(organisation),
    )
    _cross_check_for(dossier)
    logger.info("dossier_created dossier=%s kind=%s organisation=%s", dossier.pk, kind, organisation.pk)
    return dossier


# A permit entering one of these changes what it covers.
PERMIT_SCOPE_STATUSES = frozenset({DossierStatus.ACTIVE, DossierStatus.EXPIRED, DossierStatus.REVOKED})


def _cross_check_for(dossier: Dossier) -> None:
    """A permit written: its scope follows, and what it covers is cancelled (retroactively). A
    retribution written: checked against the permits, then against the parking sessions. Set-based
    either way (eloket.permits, eloket.sessions.cross_check), as an import does it."""
    from eloket.permits import PERMIT_KINDS, permit_cross_check, permit_written
    from eloket.sessions.cross_check import session_cross_check

    if dossier.kind in PERMIT_KINDS:
        permit_written(permit_ids=[dossier.pk])
    elif dossier.kind == DossierKind.PARKING_RETRIBUTION and (
        permit_cross_check(dossier_ids=[dossier.pk]).cancelled
        or session_cross_check(dossier_ids=[dossier.pk]).cancelled
    ):
        dossier.refresh_from_db()


def dossier_transition(
    *,
    dossier_id: int,
    to_status: str,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
    event_kind: str | None = None,
) -> Dossier:
    """Move a dossier to ``to_status`` if its kind's transition table allows it.

    Locks the row, applies the deadlines and costs of the new status (from the regulation), appends
    the timeline event and, after commit, queues ``eloket.tasks.dossier_transitioned``.
    Raises ``TransitionNotAllowed`` for a pair that is not in the table; nothing is written then.
    ``at`` is when it happened when a source system reports it later (default: now); the new
    deadlines count from that day. ``event_kind`` names the event more precisely than the table
    (a partly upheld contest is the same move as a rejected one).
    """
    at = at or timezone.now()
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",)).select_related("regulation").get(pk=dossier_id)
        )
        policy = dossier.policy
        allowed_event = policy.event_for(dossier.status, to_status)
        if allowed_event is None:
            raise TransitionNotAllowed(
                _("Een dossier met status %(from)s kan niet naar %(to)s.")
                % {"from": dossier.get_status_display(), "to": to_status},
                code="transition_not_allowed",
            )
        event_kind = event_kind or allowed_event
        from_status = dossier.status
        policy.apply_entry(dossier, to_status, timezone.localdate(at))
        dossier.status = to_status
        dossier.full_clean()
        dossier.save()
        event = _timeline_append(
            dossier=dossier,
            kind=event_kind,
            status_from=from_status,
            status_to=to_status,
            actor=actor,
            occurred_at=at,
            actor_label=actor_label,
            note=note,
            data=data or {},
        )
        event_id = event.pk
        if to_status in PERMIT_SCOPE_STATUSES:
            _cross_check_for(dossier)
        # Only a hook that logs: a broker outage must not fail the committed change (eloket.tasks).
        enqueue_after_commit("eloket.tasks.dossier_transitioned", event_id)
    logger.info(
        "dossier_transitioned dossier=%s from=%s to=%s event=%s", dossier.pk, from_status, to_status, event_id
    )
    return dossier


def dossier_put_on_hold(
    *,
    dossier_id: int,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    data: dict | None = None,
) -> Dossier:
    """A contest (retribution) or defence (GAS) was filed: the dossier waits for the decision, with no
    reminders and no cost step-ups. Refused (``TransitionNotAllowed``) when its status does not allow it."""
    dossier = Dossier.objects.get(pk=dossier_id)
    to_status = dossier.policy.contest_status
    if to_status is None:
        raise TransitionNotAllowed(
            _("Tegen dit soort dossier kunt u geen bezwaar of verweer indienen."), code="not_contestable"
        )
    return dossier_transition(
        dossier_id=dossier_id, to_status=to_status, actor=actor, actor_label=actor_label, note=note, data=data
    )


@dataclass(frozen=True)
class DecisionResult:
    dossier: Dossier
    refund_due_cents: int


def dossier_decide(
    *,
    dossier_id: int,
    decision: str,
    motivation: str,
    amount_cents: int | None = None,
    actor: User | None = None,
    actor_label: str = "",
    data: dict | None = None,
) -> DecisionResult:
    """Decide the open contest or defence of a dossier.

    Upheld: the dossier is cancelled. Partly upheld (only where the policy lets the amount change):
    the amount becomes ``amount_cents``. Rejected: payable again with the new term the policy sets.
    Money already paid above what is now owed is returned as ``refund_due_cents`` for the payment
    channel to refund; the timeline records it.
    """
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
        policy = dossier.policy
        if not policy.is_on_hold(dossier):
            raise TransitionNotAllowed(
                _("Er loopt geen bezwaar of verweer voor dit dossier."), code="nothing_to_decide"
            )
        event_data = dict(data or {}, decision=decision)
        event_kind = None
        refund_due = 0
        if decision == Decision.UPHELD:
            refund_due = dossier.amount_paid_cents
        elif decision == Decision.PARTLY_UPHELD:
            if not policy.amount_may_change:
                raise ValidationError(
                    {"decision": _("Het bedrag van deze boete ligt vast bij wet en kan niet wijzigen.")}
                )
            if amount_cents is None or not 0 < amount_cents < dossier.amount_original_cents:
                raise ValidationError(
                    {"amount_cents": _("Geef een nieuw bedrag dat lager is dan het oorspronkelijke bedrag.")}
                )
            event_data.update(amount_from_cents=dossier.amount_original_cents, amount_to_cents=amount_cents)
            dossier.amount_original_cents = amount_cents
            owed = amount_cents + dossier.costs_cents
            refund_due = max(dossier.amount_paid_cents - owed, 0)
            dossier.amount_paid_cents -= refund_due
            dossier.full_clean()
            dossier.save(update_fields=["amount_original_cents", "amount_paid_cents", "updated_at"])
            event_kind = TimelineEventKind.DECIDED_PARTLY
        elif decision != Decision.REJECTED:
            raise ValidationError({"decision": _("Kies een beslissing.")})
        if refund_due:
            event_data["refund_due_cents"] = refund_due
        dossier = dossier_transition(
            dossier_id=dossier.pk,
            to_status=policy.decision_target(dossier, decision, dossier.amount_due_cents),
            actor=actor,
            actor_label=actor_label,
            note=motivation,
            data=event_data,
            event_kind=event_kind,
        )
        # The organisation's systems hear of the decision (webhooks), once, with the new amount; money
        # to give back is refunded from the same event (eloket.payments.services.refunds_fan_out).
        outbox_emit(
            type=EventType.DECISION,
            organisation_id=dossier.organisation_id,
            dossier=dossier,
            data=event_data,
        )
    return DecisionResult(dossier=dossier, refund_due_cents=refund_due)


def dossier_record_view(*, dossier: Dossier, user: User) -> None:
    """The first time the party opens the dossier in the e-loket, the timeline says so (once)."""
    if dossier.timeline.filter(kind=TimelineEventKind.VIEWED).exists():
        return
    _timeline_append(dossier=dossier, kind=TimelineEventKind.VIEWED, actor=user)


def _timeline_append(
    *,
    dossier: Dossier,
    kind: str,
    status_from: str = "",
    status_to: str = "",
    occurred_at: dt.datetime | None = None,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    data: dict | None = None,
) -> TimelineEvent:
    event = TimelineEvent(
        dossier=dossier,
        kind=kind,
        status_from=status_from,
        status_to=status_to,
        occurred_at=occurred_at or timezone.now(),
        actor=actor,
        actor_label=actor_label,
        note=note,
        data=data or {},
    )
    event.full_clean()
    event.save()
    return event


EVIDENCE_CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


@transaction.atomic
def dossier_register_payment(
    *, dossier_id: int, amount_cents: int, actor_label: str = "", at: dt.datetime | None = None
) -> Dossier:
    """Money received for a dossier (from whatever channel): adds it, and marks the dossier paid
    when nothing is left to pay. Overpayment is refused; the payment channel handles the excess."""
    if amount_cents <= 0:
        raise ValidationError(_("Een betaling moet een positief bedrag hebben."), code="invalid_amount")
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    if amount_cents > dossier.amount_due_cents:
        raise ValidationError(_("Deze betaling is hoger dan het openstaande bedrag."), code="overpaid")
    dossier.amount_paid_cents += amount_cents
    dossier.full_clean()
    dossier.save(update_fields=["amount_paid_cents", "updated_at"])
    if dossier.amount_due_cents == 0 and dossier.policy.event_for(dossier.status, DossierStatus.PAID):
        return dossier_transition(
            dossier_id=dossier.pk,
            to_status=DossierStatus.PAID,
            actor_label=actor_label,
            data={"amount_cents": amount_cents},
            at=at,
        )
    return dossier


def evidence_add(
    *, dossier: Dossier, content: bytes, filename: str, content_type: str, caption: str = ""
) -> Evidence:
    """Store a photo or document with the dossier, in private storage under a random name."""
    if content_type not in EVIDENCE_CONTENT_TYPES:
        raise ValidationError(_("Dit soort bestand kan niet als bewijs worden opgeslagen."), code="bad_type")
    evidence = Evidence(dossier=dossier, content_type=content_type, caption=caption)
    evidence.file.save(filename, ContentFile(content), save=False)
    evidence.full_clean()
    evidence.save()
    return evidence


# Events that record something about the dossier without changing its status.
NOTE_KINDS = frozenset(
    {
        TimelineEventKind.SUBMISSION,
        TimelineEventKind.DRIVER_NAMED,
        TimelineEventKind.INFO_REQUESTED,
        TimelineEventKind.INFO_RECEIVED,
        TimelineEventKind.SUBMISSION_ASSIGNED,
        TimelineEventKind.SUBMISSION_CLOSED,
    }
)


def dossier_timeline_note(
    *,
    dossier_id: int,
    kind: str,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    data: dict | None = None,
) -> TimelineEvent:
    """Append an event that changes no status (a clerk's message, an information request) to the
    dossier's timeline. Status changes go through ``dossier_transition``; other kinds are refused."""
    if kind not in NOTE_KINDS:
        raise ValueError(f"{kind!r} is not a note; status changes go through dossier_transition")
    dossier = Dossier.objects.get(pk=dossier_id)
    return _timeline_append(
        dossier=dossier, kind=kind, actor=actor, actor_label=actor_label, note=note, data=data
    )


def dossier_note_submission(
    *, dossier_id: int, reference: str, purpose: str, actor: User | None = None, actor_label: str = ""
) -> TimelineEvent:
    """A question, complaint, named driver or payment-plan request about the dossier arrived (reference
    ``reference`` in the e-loket): a timeline event, no change of status. A contest or defence goes
    through ``dossier_put_on_hold`` instead."""
    dossier = Dossier.objects.get(pk=dossier_id)
    kind = TimelineEventKind.DRIVER_NAMED if purpose == "name_driver" else TimelineEventKind.SUBMISSION
    return _timeline_append(
        dossier=dossier,
        kind=kind,
        actor=actor,
        actor_label=actor_label,
        note=reference,
        data={"submission": reference, "purpose": purpose},
    )
