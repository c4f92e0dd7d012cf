"""The demo of the Mijn Burgerprofiel announcements (docs/profile.md).

The demo's dossiers are made through ``services.dossier_create``, which writes no ``dossier.created``
event: in real life the city's import (``eloket.ingest``) does. ``seed_profile_events`` writes that
event, once, for each dossier of the demo citizens without an e-mail address (those who get letters by
post, ``eloket.demo.letters``) that is not void, as the import would; the demo's permit and
parking-session cancellations already write their own. Only for those: the same event also makes the
new-dossier e-mail, and the demo's logins should not get a mail for every seeded dossier. After
``make serve``'s worker dispatches the outbox, the announcements are on the stand-in's page,
http://127.0.0.1:12112/. Idempotent: a dossier with a ``dossier.created`` event gets no second one.
"""

from __future__ import annotations

from django.db import transaction

from eloket.constants import VOID_STATUSES, DossierStatus, PartyKind
from eloket.models import Dossier, EventType, OutboxEvent
from eloket.outbox import outbox_emit


def seed_profile_events(*, stdout=None) -> int:
    announced = OutboxEvent.objects.filter(type=EventType.DOSSIER_CREATED).values("dossier_id")
    dossiers = (
        Dossier.objects.filter(external_id__startswith="DEMO-", party__kind=PartyKind.PERSON, party__email="")
        .exclude(status__in=[*VOID_STATUSES, DossierStatus.ISSUED])
        .exclude(pk__in=announced)
        .order_by("pk")
    )
    written = 0
    with transaction.atomic():
        for dossier in dossiers:
            outbox_emit(
                type=EventType.DOSSIER_CREATED, organisation_id=dossier.organisation_id, dossier=dossier
            )
            written += 1
    if stdout is not None and written:
        stdout.write(f"profile: {written} new-dossier event(s) for Mijn Burgerprofiel (stand-in on :12112)")
    return written
