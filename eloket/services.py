"""Writes. Every change of a dossier, party or representation goes through a function here.

Functions are keyword-only, run in a transaction, call ``full_clean()`` and queue follow-ups with
``transaction.on_commit`` so that nothing is sent for a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from eloket.constants import RepresentationRole, TimelineEventKind
from eloket.identifiers import Identifier
from eloket.models import Dossier, Party, Representation, TimelineEvent, User
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
    **fields: Any,
) -> Dossier:
    """A new dossier in its kind's initial status, with its ``issued`` timeline event.

    The amount is the one the regulation fixes for these facts (GAS 4/5, forfaits, permit fees);
    a source system may give it where the regulation does not.
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
        occurred_at=occurred_at or now,
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
    today: dt.date | None = None,
) -> Dossier:
    """Move a dossier to ``to_status`` if its kind's transition table allows it.

    Locks the row, applies the deadlines and costs of the new status (from the regulation), appends
    the timeline event and, after commit, queues ``eloket.tasks.dossier_transitioned``.
    Raises ``TransitionNotAllowed`` for a pair that is not in the table; nothing is written then.
    """
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().select_related("regulation").get(pk=dossier_id)
        policy = dossier.policy
        event_kind = policy.event_for(dossier.status, to_status)
        if event_kind is None:
            raise TransitionNotAllowed(
                _("Een dossier met status %(from)s kan niet naar %(to)s.")
                % {"from": dossier.get_status_display(), "to": to_status},
                code="transition_not_allowed",
            )
        from_status = dossier.status
        policy.apply_entry(dossier, to_status, today or timezone.localdate())
        dossier.status = to_status
        dossier.full_clean()
        dossier.save()
        event = _timeline_append(
            dossier=dossier,
            kind=event_kind,
            status_from=from_status,
            status_to=to_status,
            actor=actor,
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


__all__ = [
    "RepresentationRole",
    "TransitionNotAllowed",
    "dossier_create",
    "dossier_record_view",
    "dossier_transition",
    "party_get_or_create",
    "representation_add",
]
