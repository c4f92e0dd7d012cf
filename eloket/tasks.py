"""Background tasks: thin, take ids, idempotent."""

import logging

from eloket.models import TimelineEvent

logger = logging.getLogger(__name__)


def dossier_transitioned(event_id: int) -> str | None:
    """Follow-up of a status change, queued after commit.

    The hook where notifications and outbound events attach (later issues); it reads the event again,
    so a retried task sees the same state and does the same thing.
    """
    event = TimelineEvent.objects.filter(pk=event_id).only("id", "dossier_id", "kind").first()
    if event is None:
        logger.warning("dossier_transitioned_missing event=%s", event_id)
        return None
    logger.info("dossier_followup event=%s dossier=%s kind=%s", event.pk, event.dossier_id, event.kind)
    return event.kind
