"""Outbox rows in bulk: the mail fan-out, the digest and the reminder jobs write many e-mails at once.

``notification_queue`` (eloket.notifications) writes one row and queues one task; at 100,000 mails that
is 100,000 inserts and 100,000 tasks. Here a batch of rows is one ``INSERT`` and one sending task per
``MAIL_SEND_BATCH`` rows (``eloket.mail.tasks.notifications_send_batch``, which reuses one SMTP
connection). The key stays the guarantee of idempotence: a key that already has a row gets no second one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from eloket.constants import NotificationStatus
from eloket.models import Notification
from eloket.scale.writer import Writer
from eloket.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)

_IN_CHUNK = 2000  # keys per "IN (…)" lookup: well below SQLite's variable limit


def notification_keys_existing(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        found.update(Notification.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def notifications_write(rows: list[Notification]) -> list[int]:
    """Insert the rows whose key is new and queue their sending after commit. Returns the new ids.

    Call it inside the transaction that decided the mails (the outbox dispatch, a job): if that rolls
    back, the rows go with it and nothing is queued.
    """
    if not rows:
        return []
    existing = notification_keys_existing(row.key for row in rows)
    fresh, seen = [], set(existing)
    for row in rows:
        if row.key not in seen:
            seen.add(row.key)
            fresh.append(row)
    if not fresh:
        return []
    try:
        with transaction.atomic():
            ids = _insert(fresh)
    except IntegrityError:
        # Another writer took one of these keys between the lookup and the insert: insert what is
        # still free and find the ids by key.
        Notification.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
        ids = _pending_ids_for([row.key for row in fresh])
    notifications_send_after_commit(ids)
    logger.info("notifications_written count=%s", len(ids))
    return ids


def _insert(rows: list[Notification]) -> list[int]:
    """One INSERT per thousand rows; on PostgreSQL one COPY (the rows carry a few kilobytes of text
    each, and COPY spares building and parsing statements of megabytes)."""
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(rows, batch_size=1000)
        return [row.pk for row in rows]
    ids = Writer().allocate_ids(Notification, len(rows))
    now = timezone.now()
    fields = [f for f in Notification._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Notification._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for pk, row in zip(ids, rows, strict=True):
            row.pk, row.created_at = pk, now
            copy.write_row([getattr(row, f.attname) for f in fields])
    return ids


def _pending_ids_for(keys: list[str]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        ids += Notification.objects.filter(key__in=chunk, status=NotificationStatus.PENDING).values_list(
            "id", flat=True
        )
    return sorted(ids)


def notifications_send_after_commit(ids: list[int]) -> None:
    """One sending task per ``MAIL_SEND_BATCH`` ids, queued when the caller's transaction commits."""
    size = settings.MAIL_SEND_BATCH
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        # The recovery job finds rows whose task was lost (a broker outage): safe to only log.
        enqueue_after_commit("eloket.mail.tasks.notifications_send_batch", chunk)
