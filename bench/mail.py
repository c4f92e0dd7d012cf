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
Message-ID, read beforehand) to the same server in the same run. The two take turns in ten rounds of
N/10 mails (the events of a round are written just before it, untimed), so that a shared machine's
changing load weighs on both alike. Target: our rate ≥ 0.5 × the bare loop's.

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
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
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
        """Per phase ("ours", "bare"): messages, distinct Message-IDs, repeats, bytes."""

        def __init__(self):
            self.lock = threading.Lock()
            self.phases = {}
            self.reset("ours")

        def reset(self, phase):
            self.phase = phase
            self.phases.setdefault(phase, [0, set(), 0, 0])

        async def handle_DATA(self, server, session, envelope):
            header = envelope.content.split(b"\r\n\r\n", 1)[0]
            found = message_id.search(header)
            with self.lock:
                counts = self.phases[self.phase]
                key = found.group(1) if found else b""
                counts[0] += 1
                counts[2] += key in counts[1]
                counts[1].add(key)
                counts[3] += len(envelope.content)
            return "250 Message accepted for delivery"

    counter = Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    connection.send(port)
    while True:
        command, _, phase = connection.recv().partition(":")
        with counter.lock:
            if command == "stats":
                messages, ids, twice, size = counter.phases.get(phase, [0, set(), 0, 0])
                connection.send((messages, len(ids), twice, size))
            elif command == "phase":
                counter.reset(phase)
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

    def stats(self, phase: str) -> tuple[int, int, int, int]:
        """(messages, distinct Message-IDs, messages whose Message-ID came before, bytes) of a phase."""
        return self._ask(f"stats:{phase}")

    def phase(self, phase: str) -> None:
        """Count what arrives from now on under ``phase``."""
        self._ask(f"phase:{phase}")

    def stop(self) -> None:
        try:
            self._ask("stop")
        finally:
            self._process.join(timeout=10)


# The data --------------------------------------------------------------------------------------------


@dataclass
class Run:
    token: str
    dossiers: list[tuple[int, int]]  # (dossier id, party id)
    organisation_id: int


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
    """N parties with a verified address and one notified retribution each (their events come per round)."""
    from django.db import transaction
    from django.utils import timezone

    from eloket.constants import DossierKind, DossierStatus, PartyKind
    from eloket.models import Dossier, Party
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
    return Run(token=token, dossiers=[(d.pk, d.party_id) for d in dossiers], organisation_id=organisation.pk)


def announce(run: Run, dossiers: list[tuple[int, int]]) -> None:
    """The pending ``dossier.created`` events of these dossiers, as an import writes them."""
    from eloket.models import EventType, OutboxEvent

    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                type=EventType.DOSSIER_CREATED,
                organisation_id=run.organisation_id,
                dossier_id=dossier_id,
                party_id=party_id,
            )
            for dossier_id, party_id in dossiers
        ],
        batch_size=5000,
    )


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


def run_ours() -> tuple[float, float]:
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


def outbox_rows(dossier_ids: list[int]) -> list[tuple[str, str, str, str, str]]:
    """(recipient, subject, text, HTML, Message-ID) of these dossiers' mails, as the outbox holds them."""
    from eloket.models import Notification

    rows = []
    for start in range(0, len(dossier_ids), 5000):
        for notification in Notification.objects.filter(
            dossier_id__in=dossier_ids[start : start + 5000]
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


def main(*, mails: int, rounds: int = 10) -> bool:
    """Both senders take turns, a round of N/rounds mails each, so that the load of a shared machine
    weighs on both alike; the times are summed."""
    from django.conf import settings
    from django.test.utils import override_settings

    from eloket.outbox import outbox_dispatch

    cleanup()
    outbox_dispatch(budget_seconds=600)  # events other runs left pending are not this benchmark's
    started = time.monotonic()
    run = prepare(mails)
    print(
        f"bench mail dataset: {mails} parties with a verified address and their dossiers in "
        f"{time.monotonic() - started:.0f} s"
    )
    size = max(500, -(-mails // rounds))
    ours = sending = bare = 0.0
    sink = Sink()
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": sink.port,
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
    }
    try:
        for start in range(0, mails, size):
            chunk = run.dossiers[start : start + size]
            announce(run, chunk)
            sink.phase("ours")
            with override_settings(**smtp):
                total, sent = run_ours()
            ours, sending = ours + total, sending + sent
            rows = outbox_rows([dossier_id for dossier_id, _party in chunk])
            sink.phase("bare")
            bare += run_bare(rows, sink.port)
        received, distinct, twice, byte_count = sink.stats("ours")
        bare_received = sink.stats("bare")[0]
    finally:
        sink.stop()
        cleanup()
    if (received, distinct, twice, bare_received) != (mails, mails, 0, mails):
        print(
            f"bench mail: FAILED: ours delivered {received} messages with {distinct} Message-IDs "
            f"({twice} twice), the bare loop {bare_received}, of {mails}"
        )
        return False
    ours_rate, bare_rate = mails / ours, mails / bare
    ratio = ours_rate / bare_rate
    print(
        f"bench mail_bare_smtplib: {bare_rate:,.0f} messages/s ({mails} in {bare:.1f} s, one connection, "
        f"{byte_count / mails / 1024:.1f} KiB each)"
    )
    print(
        f"bench mail_new_dossier: {ours_rate:,.0f} messages/s ({mails} in {ours:.1f} s: dispatch and render "
        f"{ours - sending:.1f} s, send {sending:.1f} s; {settings.OUTBOX_DISPATCH_BATCH} events per "
        f"dispatch batch, {settings.MAIL_SEND_BATCH} mails per connection; the two senders took turns in "
        f"rounds of {size}) (ratio {ratio:.2f} vs mail_bare_smtplib, target ≥ {TARGET_RATIO})"
    )
    return ratio >= TARGET_RATIO
