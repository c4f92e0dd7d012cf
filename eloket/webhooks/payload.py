"""What a webhook says: the event, its organisation, and the dossier as the organisation knows it.

No national numbers, names, addresses or e-mail addresses of citizens: the organisation finds its own
record through ``external_id`` (its id) or ``reference`` (the e-loket's). ``data.dossier`` is the
dossier as it stands when the delivery is sent (a retry may show a later status); what happened is
the event's ``type`` and its own fields, written when it happened.
"""

from __future__ import annotations

import datetime as dt
import json

from eloket.models import Dossier, OutboxEvent


def dossier_summary(dossier: Dossier) -> dict:
    return {
        "reference": dossier.reference,
        "external_id": dossier.external_id,
        "kind": dossier.kind,
        "status": dossier.status,
        "amount_original_cents": dossier.amount_original_cents,
        "costs_cents": dossier.costs_cents,
        "amount_paid_cents": dossier.amount_paid_cents,
        "amount_due_cents": dossier.amount_due_cents,
        "pay_by": dossier.pay_by.isoformat() if dossier.pay_by else None,
    }


def payload_for(event: OutboxEvent) -> dict:
    data = {}
    if event.dossier_id is not None:
        data["dossier"] = dossier_summary(event.dossier)
    if isinstance(event.data, dict):
        data.update(event.data)
    elif event.data:  # a set-based writer's JSON that is not an object: passed on as it is
        data["details"] = event.data
    return {
        "id": str(event.event_id),
        "type": event.type,
        "created": event.created_at.astimezone(dt.UTC).isoformat(),
        "organisation": event.organisation.slug,
        "data": data,
    }


def payload_body(event: OutboxEvent) -> bytes:
    """The exact bytes that are sent and signed."""
    return json.dumps(payload_for(event), ensure_ascii=False, separators=(",", ":"), default=str).encode()
