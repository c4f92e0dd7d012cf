"""django-q2 tasks for the Mijn Burgerprofiel announcements; thin, taking ids (STYLE 7).

``announcements_send_events`` is queued after the dispatch that wrote the rows commits;
``announcements_retry`` (``eloket.schedules``, every ``PROFILE_RETRY_EVERY_MINUTES``) reclaims rows
whose worker died and sends whatever is due (retries, and anything a lost task left pending).
"""

from __future__ import annotations

import logging

from eloket.models import ProfileAnnouncement
from eloket.profile.services import announcements_attempt, announcements_due, announcements_reclaim

logger = logging.getLogger(__name__)

RETRY_BATCH = 500


def announcements_send_events(event_ids: list[int]) -> dict[str, int]:
    ids = (
        ProfileAnnouncement.objects.filter(event_id__in=event_ids, status=ProfileAnnouncement.Status.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    counts = announcements_attempt(list(ids))
    logger.info("profile_announced events=%s %s", len(event_ids), _format(counts))
    return counts


def announcements_retry() -> dict[str, int]:
    reclaimed = announcements_reclaim()
    counts = announcements_attempt(announcements_due(limit=RETRY_BATCH))
    if reclaimed:
        counts["reclaimed"] = reclaimed
    if counts:
        logger.info("profile_retried %s", _format(counts))
    return counts


def _format(counts: dict[str, int]) -> str:
    return " ".join(f"{key}={value}" for key, value in sorted(counts.items()))
