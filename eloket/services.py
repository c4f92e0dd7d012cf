"""Writes. Every change of a dossier, party or representation goes through a function here.

Functions are keyword-only, run in a transaction, call ``full_clean()`` and queue follow-ups with
``transaction.on_commit`` so that nothing is sent for a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from eloket.constants import DossierStatus, TimelineEventKind
from eloket.identifiers import Identifier
from eloket.models import Dossier, Evidence, Party, Representation, TimelineEvent, User
from eloket.ogm import ogm_random
from eloket.plates import plate_normalise
from eloket.policies import policy_for
from eloket.references import reference_new

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
    logger.info("dossier_created dossier=%s kind=%s organisation=%s", dossier.pk, kind, organisation.pk)
    return dossier


def dossier_transition(
    *,
    dossier_id: int,
    to_status: str,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Move a dossier to ``to_status`` if its kind's transition table allows it.

    Locks the row, applies the deadlines and costs of the new status (from the regulation), appends
    the timeline event and, after commit, queues ``eloket.tasks.dossier_transitioned``.
    Raises ``TransitionNotAllowed`` for a pair that is not in the table; nothing is written then.
    ``at`` is when it happened when a source system reports it later (default: now); the new
    deadlines count from that day.
    """
    at = at or timezone.now()
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",)).select_related("regulation").get(pk=dossier_id)
        )
        policy = dossier.policy
        event_kind = policy.event_for(dossier.status, to_status)
        if event_kind is None:
            raise TransitionNotAllowed(
                _("Een dossier met status %(from)s kan niet naar %(to)s.")
                % {"from": dossier.get_status_display(), "to": to_status},
                code="transition_not_allowed",
            )
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
        transaction.on_commit(lambda: async_task("eloket.tasks.dossier_transitioned", event_id))
    logger.info(
        "dossier_transitioned dossier=%s from=%s to=%s event=%s", dossier.pk, from_status, to_status, event_id
    )
    return dossier


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
