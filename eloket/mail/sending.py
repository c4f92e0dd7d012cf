"""Sending outbox e-mails, and getting them going again when a worker died.

Sending one row: claim it (pending or failed → sending, ``attempts`` + 1, ``claimed_at``), hand it to
the SMTP server, mark it sent. A row is claimed by one worker only (one transaction that locks the rows
it takes, skipping rows another worker holds), so two tasks for the same id never both send it, and a
sent row is never claimed again.

What "exactly once" can and cannot mean with SMTP (docs/mail.md): the row is marked sent as soon as the
server accepted the message (``SentMarks``). A worker killed *before* the server's acceptance leaves
the row in ``sending``; ``notifications_recover`` returns it to the queue after
``MAIL_SENDING_TIMEOUT_MINUTES`` and it goes out once. A worker killed *between* the acceptance and
the commit of its mark leaves the same state, so that message goes out a second time; it carries the
same Message-ID (``Notification.message_id``), by which receivers can recognise it.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, sanitize_address
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.utils import timezone

from eloket.constants import NotificationStatus as S
from eloket.mail.queue import notifications_send_after_commit
from eloket.models import Notification

logger = logging.getLogger(__name__)

# The server refused this message (address, size, content), or it cannot be written (a header with a
# line break): the next message may still go.
MESSAGE_REFUSED = (
    BadHeaderError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)
# The connection or the server is gone (refused, reset, timed out, disconnected): stop this batch.
CONNECTION_LOST = (smtplib.SMTPException, OSError)

INTERRUPTED = "interrupted: the worker stopped while sending; queued again (same Message-ID)"
GIVEN_UP = "interrupted again and again: given up after MAIL_MAX_ATTEMPTS tries"
_SEND_FIELDS = ("id", "to_email", "subject", "body_text", "body_html", "template")


def notifications_claim(ids: list[int]) -> list[Notification]:
    """Take the rows of ``ids`` that wait (pending, or failed before) for this worker."""
    with transaction.atomic():
        queryset = Notification.objects.filter(pk__in=ids, status__in=[S.PENDING, S.FAILED]).order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        rows = list(queryset.only(*_SEND_FIELDS))
        if rows:
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=S.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
    return rows


def notifications_send(ids: list[int]) -> Counter:
    """Claim and send these rows over one SMTP connection. Returns how many were sent, failed,
    released (not tried: the connection was lost first) and skipped (sent already, or another worker's).
    """
    outcome: Counter = Counter()
    rows = notifications_claim(ids)
    outcome["skipped"] = len(set(ids)) - len(rows)
    if not rows:
        return outcome
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except CONNECTION_LOST as error:
        _mark_failed([row.pk for row in rows], error)
        outcome["failed"] += len(rows)
        return outcome
    marks = SentMarks()
    send = _sender(connection)
    try:
        for index, row in enumerate(rows):
            if marks.failed is not None:  # no more sending while "sent" cannot be recorded
                outcome["released"] += _release([r.pk for r in rows[index:]])
                break
            try:
                sent = send(row)
            except MESSAGE_REFUSED as error:
                _mark_failed([row.pk], error)
                outcome["failed"] += 1
                continue
            except CONNECTION_LOST as error:
                _mark_failed([row.pk], error)
                outcome["failed"] += 1
                marks.flush()
                outcome["released"] += _release([r.pk for r in rows[index + 1 :]])
                break
            if sent:
                marks.add(row.pk)
                outcome["sent"] += 1
            else:
                _mark_failed([row.pk], "the mail backend sent nothing")
                outcome["failed"] += 1
    finally:
        marks.close()
        _close(connection)
    logger.info(
        "notifications_sent sent=%s failed=%s released=%s skipped=%s",
        outcome["sent"],
        outcome["failed"],
        outcome["released"],
        outcome["skipped"],
    )
    return outcome


class SentMarks:
    """Records "sent" as soon as the server has accepted a message, so that a worker that dies
    mid-batch leaves (almost) only the message in hand unrecorded.

    Each commit normally waits for the database's disk flush (about 10 ms on the machines measured),
    which would make sending several times slower than the SMTP server. So:

    - PostgreSQL, in a worker (outside any transaction): a thread of the batch, with a database
      connection of its own and ``synchronous_commit`` off, writes the marks while the next message
      goes over SMTP (one UPDATE for whatever has queued up since its last one). A mark is committed
      a fraction of a millisecond after the server's acceptance, usually before the next message is
      accepted; a worker killed in between loses the marks still queued (the message just accepted,
      sometimes the one before it), and those go out again with their Message-IDs. A crash of the
      database server itself can likewise lose the last marks of the asynchronous commit.
    - PostgreSQL inside a transaction (tests, or a caller's atomic block): one UPDATE per message in
      that connection, before the next message.
    - SQLite (the embedded default, one machine): marks are gathered for at most
      ``SQLITE_MARK_SECONDS`` and written in one UPDATE: a killed worker may send the messages of its
      last tenth of a second again (same Message-IDs).
    """

    SQLITE_MARK_SECONDS = 0.1
    _MARK = (
        f"UPDATE {Notification._meta.db_table}"  # noqa: S608 (the table name is ours)
        " SET status = %s, sent_at = %s, last_error = '' WHERE id = ANY(%s)"
    )

    def __init__(self) -> None:
        self.vendor = db_connection.vendor
        self.every = self.SQLITE_MARK_SECONDS if self.vendor == "sqlite" else 0.0
        self.pending: list[int] = []
        self.flushed = time.monotonic()
        self.failed: DatabaseError | None = None
        self.background = self.vendor == "postgresql" and not db_connection.in_atomic_block
        if self.background:
            self._queue: queue.SimpleQueue = queue.SimpleQueue()
            self._thread = threading.Thread(
                target=self._mark_in_background, name="mail-sent-marks", daemon=True
            )
            self._thread.start()
        elif self.vendor == "postgresql":
            with db_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")

    def add(self, notification_id: int) -> None:
        if self.background:
            self._queue.put(notification_id)
            return
        self.pending.append(notification_id)
        if time.monotonic() - self.flushed >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.background or not self.pending:
            return
        if self.vendor == "postgresql":
            # Once per message: one statement, without the ORM's query building (which costs as much
            # as the round trip).
            with db_connection.cursor() as cursor:
                cursor.execute(self._MARK, [S.SENT, timezone.now(), self.pending])
        else:
            Notification.objects.filter(pk__in=self.pending).update(
                status=S.SENT, sent_at=timezone.now(), last_error=""
            )
        self.pending = []
        self.flushed = time.monotonic()

    def close(self) -> None:
        if self.background:
            self._queue.put(None)
            self._thread.join()
            if self.failed is not None:
                logger.error("notification_marks_failed error=%s", type(self.failed).__name__)
            return
        try:
            self.flush()
        finally:
            if self.vendor == "postgresql":
                with db_connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")

    def _mark_in_background(self) -> None:
        from django.db import connection  # this thread's own connection

        done = False
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
                while not done:
                    ids = [self._queue.get()]
                    while not self._queue.empty():
                        ids.append(self._queue.get())
                    done = None in ids
                    ids = [i for i in ids if i is not None]
                    if ids:
                        cursor.execute(self._MARK, [S.SENT, timezone.now(), ids])
        except DatabaseError as error:  # the rows stay "sending"; the recovery sends them again
            self.failed = error
        finally:
            connection.close()


def _sender(connection) -> Callable[[Notification], int]:
    """How one row goes out over this open connection; returns how many messages were sent (0 or 1).

    Over Django's SMTP backend the message is written with the standard library's ``email`` package and
    handed to the backend's own ``smtplib`` connection (``WireMessage``); any other backend (the tests'
    memory, the demo's files, a provider's API) gets Django's ``EmailMultiAlternatives``.
    """
    if type(connection) is SMTPBackend and connection.connection is not None:
        return WireMessage(connection.connection)
    return lambda row: connection.send_messages([_message(row, connection)])


class WireMessage:
    """Django's SMTP path builds every message through ``EmailMessage.message()``, which checks and
    re-encodes each header and parses each address (twice: for the header and for the envelope); that
    was a third of the time of sending one mail (docs/mail.md, Benchmark). The outbox rows are known
    already: one recipient, one sender (``DEFAULT_FROM_EMAIL``, parsed once per batch), a subject
    without line breaks (``render_mail`` normalises its whitespace). So this writes the same message
    Django would (same headers, same parts, same encodings: 8bit UTF-8, quoted-printable for a part with
    a line over RFC 5322's 998 octets) with ``email.mime`` directly and sends it with
    ``smtplib.SMTP.sendmail``. ``tests/eloket/mail/test_smtp.py`` compares the two.
    """

    _8BIT = Charset("utf-8")
    _8BIT.body_encoding = None
    _QP = Charset("utf-8")
    _QP.body_encoding = QP
    _WIRE = compat32.clone(linesep="\r\n")  # the policy Django's messages use, with SMTP's line ends

    def __init__(self, smtp) -> None:
        self.smtp = smtp
        self.sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)

    def __call__(self, row: Notification) -> int:
        to = row.to_email if row.to_email.isascii() else sanitize_address(row.to_email, "utf-8")
        self.smtp.sendmail(self.sender, [to], self.build(row, to).as_bytes(policy=self._WIRE))
        return 1

    def build(self, row: Notification, to: str) -> MIMEText | MIMEMultipart:
        subject, message_id = row.subject, row.message_id
        if any("\n" in value or "\r" in value for value in (subject, to, message_id)):
            raise BadHeaderError(f"a line break in a header of notification {row.pk}")
        if row.body_html:
            message = MIMEMultipart("alternative")
            message.attach(self._part(row.body_text, "plain"))
            message.attach(self._part(row.body_html, "html"))
        else:
            message = self._part(row.body_text, "plain")
        message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
        message["From"] = self.sender
        message["To"] = to
        message["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        message["Message-ID"] = message_id
        message["Auto-Submitted"] = "auto-generated"
        return message

    def _part(self, body: str, subtype: str) -> MIMEText:
        long_lines = any(
            len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
            for line in body.splitlines()
        )
        return MIMEText(body, subtype, self._QP if long_lines else self._8BIT)


def _message(row: Notification, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        to=[row.to_email],
        headers={"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _mark_failed(ids: list[int], error) -> None:
    Notification.objects.filter(pk__in=ids).update(status=S.FAILED, last_error=str(error)[:2000])
    logger.warning(
        "notification_failed notifications=%s error=%s",
        ",".join(map(str, ids[:20])),
        type(error).__name__ if isinstance(error, BaseException) else "backend",
    )


def _release(ids: list[int]) -> int:
    """Rows claimed but not tried: back to pending, the attempt not counted."""
    if not ids:
        return 0
    return Notification.objects.filter(pk__in=ids, status=S.SENDING).update(
        status=S.PENDING, attempts=F("attempts") - 1, claimed_at=None
    )


def _close(connection) -> None:
    try:
        connection.close()
    except CONNECTION_LOST as error:  # every message is recorded already; only QUIT failed
        logger.warning("smtp_close_failed error=%s", type(error).__name__)


def notifications_recover(*, now: dt.datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """The schedule's safety net (``eloket.schedules``):

    - rows left in ``sending`` longer than ``MAIL_SENDING_TIMEOUT_MINUTES`` (the worker died or was
      killed mid-send; the timeout is longer than django-q's task timeout, so no live worker still
      holds them) go back to pending and are queued again;
    - pending rows older than ``MAIL_REQUEUE_AFTER_MINUTES`` (their task was lost) are queued again;
    - failed rows are retried with a growing pause (``MAIL_RETRY_MINUTES`` × 2^(attempts − 1)) until
      ``MAIL_MAX_ATTEMPTS``; a row interrupted that often is given up on (failed) too.

    Queuing a row twice is harmless: only one claim succeeds.
    """
    now = now or timezone.now()
    limit = limit or settings.MAIL_RECOVER_LIMIT
    stale = now - dt.timedelta(minutes=settings.MAIL_SENDING_TIMEOUT_MINUTES)
    with transaction.atomic():
        stuck = list(
            Notification.objects.filter(status=S.SENDING, claimed_at__lt=stale)
            .order_by("pk")
            .values_list("pk", "attempts")[:limit]
        )
        # A row that keeps being interrupted (or keeps killing its worker) is given up on.
        given_up = [pk for pk, attempts in stuck if attempts >= settings.MAIL_MAX_ATTEMPTS]
        interrupted = [pk for pk, attempts in stuck if attempts < settings.MAIL_MAX_ATTEMPTS]
        Notification.objects.filter(pk__in=given_up, status=S.SENDING).update(
            status=S.FAILED, last_error=GIVEN_UP
        )
        Notification.objects.filter(pk__in=interrupted, status=S.SENDING).update(
            status=S.PENDING, last_error=INTERRUPTED
        )
        waiting = Q(
            status=S.PENDING, created_at__lt=now - dt.timedelta(minutes=settings.MAIL_REQUEUE_AFTER_MINUTES)
        )
        for attempts in range(1, settings.MAIL_MAX_ATTEMPTS):
            pause = dt.timedelta(minutes=settings.MAIL_RETRY_MINUTES * 2 ** (attempts - 1))
            waiting |= Q(status=S.FAILED, attempts=attempts, claimed_at__lt=now - pause)
        again = list(
            Notification.objects.filter(waiting)
            .exclude(pk__in=interrupted)
            .order_by("pk")
            .values_list("pk", flat=True)[: max(limit - len(interrupted), 0)]
        )
        ids = sorted([*interrupted, *again])
        notifications_send_after_commit(ids)
    if ids or given_up:
        logger.info(
            "notifications_recovered interrupted=%s requeued=%s given_up=%s",
            len(interrupted),
            len(again),
            len(given_up),
        )
    return {"interrupted": len(interrupted), "requeued": len(again), "given_up": len(given_up)}
