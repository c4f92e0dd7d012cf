"""The mail benchmark of ``python -m bench`` (``--only mail``; ``--mails N``, default 100,000).

N new-dossier e-mails (one dossier per party, every party with a verified address, the languages
mixed as in Flanders) go from pending ``dossier.created`` outbox events to a local SMTP server along
the product's own path, timed from the first event to the last "sent":

1. ``eloket.outbox.outbox_dispatch``: batches of events, each handed to the consumers (the mail
   consumer renders each mail and writes the outbox rows in bulk) and marked dispatched;
2. after each batch commits, one ``eloket.mail.tasks.notifications_send_batch`` per ``MAIL_SEND_BATCH``
   rows: claim, one SMTP connection, send, mark each row sent.

The tasks run in this process, one after the other (django-q2's sync mode): the broker's hop is not
timed and nothing runs in parallel. The reference is a bare ``smtplib`` loop over one connection that
builds and sends the same messages (the outbox rows' subject, plain text, HTML, recipient and
Message-ID, read beforehand) to the same server in the same run. Target: our rate ≥ 0.5 × the bare
loop's.

The SMTP server is aiosmtpd in a process of its own that counts messages by Message-ID: the run fails
when a mail is missing or arrives twice. The benchmark's parties, dossiers, events and mails are removed
afterwards (and left-overs of an interrupted run before).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import re
import smtplib
import time
from dataclasses import dataclass
from email.charset import Charset
from email.policy import compat32
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

TARGET_RATIO = 0.5
CRLF = compat32.clone(linesep="\r\n")  # what goes over the wire, as Django writes it
PREFIX = "bench-mail-"
LANGUAGES = ["nl"] * 14 + ["fr"] * 4 + ["en", "de"]  # per 20 parties
FIRST_NAMES = [
    "An",
    "Bart",
    "Chloé",
    "Dirk",
    "Els",
    "Fatima",
    "Geert",
    "Hanne",
    "Ilse",
    "Jan",
    "Karim",
    "Lotte",
]
LAST_NAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Dubois"]


# The SMTP server, in its own process ---------------------------------------------------------------


def _sink_main(connection) -> None:  # pragma: no cover (runs in the child process)
    import socket
    import threading

    from aiosmtpd.controller import Controller

    message_id = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)

    class Counter:
        def __init__(self):
            self.lock = threading.Lock()
            self.reset()

        def reset(self):
            self.messages, self.ids, self.twice, self.bytes = 0, set(), 0, 0

        async def handle_DATA(self, server, session, envelope):
            header = envelope.content.split(b"\r\n\r\n", 1)[0]
            found = message_id.search(header)
            with self.lock:
                self.messages += 1
                self.bytes += len(envelope.content)
                key = found.group(1) if found else b""
                if key in self.ids:
                    self.twice += 1
                self.ids.add(key)
            return "250 Message accepted for delivery"

    counter = Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    connection.send(port)
    while True:
        command = connection.recv()
        with counter.lock:
            if command == "stats":
                connection.send((counter.messages, len(counter.ids), counter.twice, counter.bytes))
            elif command == "reset":
                counter.reset()
                connection.send(True)
        if command == "stop":
            controller.stop()
            connection.send(True)
            return


class Sink:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_sink_main, args=(child,), daemon=True)
        self._process.start()
        self.port = self._connection.recv()

    def _ask(self, command: str):
        self._connection.send(command)
        return self._connection.recv()

    def stats(self) -> tuple[int, int, int, int]:
        """(messages, distinct Message-IDs, messages whose Message-ID came before, bytes)."""
        return self._ask("stats")

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        try:
            self._ask("stop")
        finally:
            self._process.join(timeout=10)


# The data --------------------------------------------------------------------------------------------


@dataclass
class Run:
    token: str
    dossier_ids: list[int]
    count: int


def _catalogue():
    from eloket.constants import DossierKind, OrganisationKind
    from eloket.models import Municipality, Organisation, Regulation

    municipality, _ = Municipality.objects.get_or_create(
        slug="bench-mail", defaults={"nis_code": "00999", "name_nl": "Benchdorp", "name_fr": "Benchville"}
    )
    organisation, created = Organisation.objects.get_or_create(
        slug="bench-mail",
        defaults={
            "kind": OrganisationKind.CITY,
            "name_nl": "Stad Benchdorp",
            "name_fr": "Ville de Benchville",
            "iban": "BE21001234567803",
            "account_holder": "Stad Benchdorp",
            "email": "loket@benchdorp.invalid",
        },
    )
    if created:
        organisation.municipalities.add(municipality)
    regulation, _ = Regulation.objects.get_or_create(
        organisation=organisation,
        code="BENCH-MAIL",
        defaults={
            "kind": DossierKind.PARKING_RETRIBUTION,
            "title": "Retributiereglement parkeren",
            "valid_from": dt.date(2024, 1, 1),
            "tariff": {"forfait": 2500},
        },
    )
    return municipality, organisation, regulation


def prepare(count: int) -> Run:
    """N parties with a verified address, one notified retribution each, and its pending event."""
    from django.db import transaction
    from django.utils import timezone

    from eloket.constants import DossierKind, DossierStatus, PartyKind
    from eloket.models import Dossier, EventType, OutboxEvent, Party
    from eloket.scale.synthetic import ogm_from_int

    token = f"{int(time.time()) % 10**6:06d}"
    municipality, organisation, regulation = _catalogue()
    today = timezone.localdate()
    base = 9_000_000_000 + (int(token) % 90) * 10_000_000
    with transaction.atomic():
        parties = Party.objects.bulk_create(
            [
                Party(
                    kind=PartyKind.PERSON,
                    identifier_hash=hashlib.sha256(f"{PREFIX}{token}-{n}".encode()).hexdigest(),
                    identifier_masked="XX.XX.XX-XXX.XX",
                    display_name=f"{FIRST_NAMES[n % 12]} {LAST_NAMES[n % 9]}",
                    email=f"burger{n}.{token}@mail.test",
                    email_verified=True,
                    language=LANGUAGES[n % 20],
                )
                for n in range(count)
            ],
            batch_size=5000,
        )
        dossiers = Dossier.objects.bulk_create(
            [
                Dossier(
                    kind=DossierKind.PARKING_RETRIBUTION,
                    status=DossierStatus.NOTIFIED,
                    reference=f"MB{token}{n:07d}",
                    external_id=f"{PREFIX}{token}-{n}",
                    municipality=municipality,
                    organisation=organisation,
                    party=party,
                    regulation=regulation,
                    plate=f"1-BNC-{n % 1000:03d}",
                    amount_original_cents=2500,
                    ogm=ogm_from_int(base + n),
                    pay_by=today + dt.timedelta(days=30),
                    contest_by=today + dt.timedelta(days=30),
                    occurred_at=timezone.now() - dt.timedelta(days=2),
                )
                for n, party in enumerate(parties)
            ],
            batch_size=5000,
        )
        OutboxEvent.objects.bulk_create(
            [
                OutboxEvent(
                    type=EventType.DOSSIER_CREATED,
                    organisation=organisation,
                    dossier=dossier,
                    party_id=dossier.party_id,
                )
                for dossier in dossiers
            ],
            batch_size=5000,
        )
    return Run(token=token, dossier_ids=[d.pk for d in dossiers], count=count)


def cleanup() -> None:
    """Everything the benchmark wrote (this run's, or an interrupted run's)."""
    from django.db import connection, transaction

    from eloket.models import Dossier

    ids = list(Dossier.objects.filter(external_id__startswith=PREFIX).values_list("id", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            for statement in (
                f"DELETE FROM eloket_notification WHERE dossier_id IN ({marks})",
                f"DELETE FROM eloket_digestline WHERE dossier_id IN ({marks})",
                "DELETE FROM eloket_webhookdelivery WHERE event_id IN "
                f"(SELECT id FROM eloket_outboxevent WHERE dossier_id IN ({marks}))",
                f"DELETE FROM eloket_outboxevent WHERE dossier_id IN ({marks})",
                f"DELETE FROM eloket_timelineevent WHERE dossier_id IN ({marks})",
                f"DELETE FROM eloket_dossier WHERE id IN ({marks})",
            ):
                cursor.execute(statement, chunk)
        cursor.execute(
            "DELETE FROM eloket_party WHERE identifier_masked = %s AND email LIKE %s",
            ["XX.XX.XX-XXX.XX", "%@mail.test"],
        )
        cursor.execute(
            "DELETE FROM django_q_task WHERE func = %s", ["eloket.mail.tasks.notifications_send_batch"]
        )


# The two senders -------------------------------------------------------------------------------------


def run_ours(run: Run) -> tuple[float, float]:
    """Dispatch the events and send the mails as the worker would. Returns (total, sending) seconds."""
    from django_q.conf import Conf

    from eloket.mail import sending
    from eloket.outbox import outbox_dispatch

    spent = [0.0]
    send = sending.notifications_send

    def timed_send(ids):
        started = time.perf_counter()
        try:
            return send(ids)
        finally:
            spent[0] += time.perf_counter() - started

    sync, Conf.SYNC = Conf.SYNC, True
    sending.notifications_send = timed_send
    try:
        started = time.perf_counter()
        outbox_dispatch(budget_seconds=10**6)
        total = time.perf_counter() - started
    finally:
        Conf.SYNC = sync
        sending.notifications_send = send
    return total, spent[0]


def outbox_rows(run: Run) -> list[tuple[str, str, str, str, str]]:
    """(recipient, subject, text, HTML, Message-ID) of the run's mails, as the outbox holds them."""
    from eloket.models import Notification

    rows = []
    for start in range(0, len(run.dossier_ids), 5000):
        for notification in Notification.objects.filter(
            dossier_id__in=run.dossier_ids[start : start + 5000]
        ).only("id", "to_email", "subject", "body_text", "body_html"):
            rows.append(
                (
                    notification.to_email,
                    notification.subject,
                    notification.body_text,
                    notification.body_html,
                    notification.message_id,
                )
            )
    return rows


def run_bare(rows, port: int) -> float:
    """One smtplib connection; build each message (as Django does: utf-8, 8bit, both parts) and send."""
    from django.conf import settings

    utf8 = Charset("utf-8")
    utf8.body_encoding = None  # 8bit, as Django sends it
    sender = settings.DEFAULT_FROM_EMAIL
    envelope_from = sender.rsplit("<", 1)[-1].rstrip(">")
    started = time.perf_counter()
    server = smtplib.SMTP("127.0.0.1", port)
    for to, subject, text, html, message_id in rows:
        message = MIMEMultipart("alternative")
        message["Subject"] = subject
        message["From"] = sender
        message["To"] = to
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = message_id
        message.attach(MIMEText(text, "plain", utf8))
        message.attach(MIMEText(html, "html", utf8))
        server.sendmail(envelope_from, [to], message.as_bytes(policy=CRLF))
    server.quit()
    return time.perf_counter() - started


# The benchmark ---------------------------------------------------------------------------------------


def main(*, mails: int) -> bool:
    from django.conf import settings
    from django.test.utils import override_settings

    from eloket.outbox import outbox_dispatch

    cleanup()
    outbox_dispatch(budget_seconds=600)  # events other runs left pending are not this benchmark's
    started = time.monotonic()
    run = prepare(mails)
    seconds = time.monotonic() - started
    print(f"bench mail dataset: {mails} parties, dossiers and dossier.created events in {seconds:.0f} s")
    sink = Sink()
    try:
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": sink.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
        }
        with override_settings(**smtp):
            ours, sending_seconds = run_ours(run)
        received, distinct, twice, size = sink.stats()
        if (received, distinct, twice) != (mails, mails, 0):
            print(
                f"bench mail: FAILED: {received} messages, {distinct} Message-IDs, {twice} twice of {mails}"
            )
            return False
        rows = outbox_rows(run)
        sink.reset()
        bare = run_bare(rows, sink.port)
        bare_received = sink.stats()[0]
        if bare_received != mails:
            print(f"bench mail: FAILED: the bare loop delivered {bare_received} of {mails}")
            return False
    finally:
        sink.stop()
        cleanup()
    ours_rate, bare_rate = mails / ours, mails / bare
    ratio = ours_rate / bare_rate
    print(
        f"bench mail_bare_smtplib: {bare_rate:,.0f} messages/s ({mails} in {bare:.1f} s, one connection, "
        f"{size / mails / 1024:.1f} KiB each)"
    )
    print(
        f"bench mail_new_dossier: {ours_rate:,.0f} messages/s ({mails} in {ours:.1f} s: dispatch and render "
        f"{ours - sending_seconds:.1f} s, send {sending_seconds:.1f} s; batches of "
        f"{settings.OUTBOX_DISPATCH_BATCH} events, {settings.MAIL_SEND_BATCH} mails per connection) "
        f"(ratio {ratio:.2f} vs mail_bare_smtplib, target ≥ {TARGET_RATIO})"
    )
    return ratio >= TARGET_RATIO
