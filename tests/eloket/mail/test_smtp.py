"""E-mail over a real SMTP server (tests.mail_sink): both parts and the link arrive; and exactly once
when a worker process is killed mid-send, as far as SMTP allows (docs/mail.md)."""

from __future__ import annotations

import signal

import pytest
from django.core.mail import get_connection

from eloket.constants import NotificationStatus as S
from eloket.mail.sending import _message, notifications_send
from eloket.models import EventType, Notification
from tests.eloket.mail.conftest import dispatch, emit
from tests.eloket.mail.sinks import (
    StallingSink,
    WorkerDatabase,
    run_recovery,
    start_worker,
    worker_environment,
)
from tests.mail_sink import MailSink, html_of, text_of


@pytest.fixture
def sink():
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def stalling_sink():
    sink = StallingSink().start()
    yield sink
    sink.stop()


@pytest.mark.django_db
def test_a_new_dossier_mail_arrives_over_smtp_with_html_and_plain_text_and_the_link(
    sink, citizen, make_dossier, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.SITE_URL = "https://eloket.example.be"
    dossier = make_dossier(citizen)
    emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks)

    message = sink.wait_for(lambda m: dossier.reference in str(m["Subject"]), what="the new-dossier mail")
    link = f"https://eloket.example.be/nl/mijn/dossiers/{dossier.reference}/"
    assert message.get_content_type() == "multipart/alternative"
    assert link in text_of(message)
    assert f'<a href="{link}">' in html_of(message)
    assert "€ 20,00" in text_of(message) and "€ 20,00" in html_of(message)
    notification = Notification.objects.get()
    assert message["Message-ID"] == notification.message_id
    assert message["To"] == "an.peeters@example.be"
    assert message["Auto-Submitted"] == "auto-generated"


def outbox_row() -> Notification:
    return Notification.objects.create(
        key="kill-test:1",
        template="dossier_created",
        to_email="an.peeters@example.be",
        subject="Nieuw dossier RB-26-KILL",
        body_text="Dag An, https://eloket.example.be/nl/mijn/dossiers/RB-26-KILL/",
        body_html='<p>Dag An, <a href="https://eloket.example.be/nl/mijn/dossiers/RB-26-KILL/">dossier</a></p>',
    )


def kill_when_stalled(worker, sink) -> None:
    stalled = sink.stalled.wait(timeout=60)
    if not stalled:
        worker.kill()
        raise AssertionError(f"the worker never reached the SMTP server: {worker.communicate()[1][-3000:]}")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_before_the_server_accepted_leaves_a_row_that_goes_out_exactly_once(
    stalling_sink, tmp_path
):
    notification = outbox_row()
    database = WorkerDatabase.of_test(tmp_path)
    env = worker_environment(database=database, smtp_port=stalling_sink.port)
    stalling_sink.stall = "before_acceptance"

    kill_when_stalled(start_worker(notification.pk, env=env), stalling_sink)

    assert database.row(notification.pk) == (S.SENDING, 1)
    assert stalling_sink.messages == []
    assert run_recovery(env=env) == "{'interrupted': 1, 'requeued': 0, 'given_up': 0}"
    assert database.row(notification.pk) == (S.SENT, 2)
    assert stalling_sink.message_ids() == {notification.message_id: 1}
    assert stalling_sink.dropped == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_acceptance_before_recording_it_resends_with_the_same_message_id(
    stalling_sink, tmp_path
):
    """The one window SMTP leaves open, shown rather than hidden: the server accepted, the worker died
    before its "sent" reached the database. The recovery sends the mail again; it is the same message
    (same Message-ID), which is what receivers de-duplicate on."""
    notification = outbox_row()
    database = WorkerDatabase.of_test(tmp_path)
    env = worker_environment(database=database, smtp_port=stalling_sink.port)
    release = []
    stalling_sink.stall = "after_acceptance"
    stalling_sink.on_accept = lambda: release.append(database.hold_write_lock(notification.pk))

    try:
        kill_when_stalled(start_worker(notification.pk, env=env), stalling_sink)
    finally:
        for unlock in release:
            unlock()

    assert database.row(notification.pk) == (S.SENDING, 1)
    assert run_recovery(env=env) == "{'interrupted': 1, 'requeued': 0, 'given_up': 0}"
    assert database.row(notification.pk) == (S.SENT, 2)
    assert stalling_sink.message_ids() == {notification.message_id: 2}


def _compared(message) -> dict:
    """What a mail client sees of a message: its headers decoded, its parts and how they travel."""
    parts = list(message.walk())
    return {
        "envelope": message.envelope,
        "headers": {
            name: str(message[name])
            for name in ("Subject", "From", "To", "Message-ID", "Auto-Submitted", "MIME-Version")
        },
        "has_date": message["Date"] is not None and message["Date"].datetime is not None,
        "parts": [
            (part.get_content_type(), part.get_content_charset(), part["Content-Transfer-Encoding"])
            for part in parts
        ],
        "text": text_of(message),
        "html": html_of(message),
    }


@pytest.mark.parametrize(
    "subject, to, html",
    [
        ("Nieuw dossier RB-26-0001", "an.peeters@example.be", "<p>Dag An</p>"),
        # a subject and a body beyond ASCII, an address with an internationalised domain
        ("Nouveau dossier à Liège: € 20,00", "chloe@liège.example", "<p>Bonjour Chloé, € 20,00</p>"),
        # a line longer than RFC 5322 allows: that part goes quoted-printable
        ("Neues Dossier", "dirk@example.de", "<p>" + "Straße " * 200 + "</p>"),
        # no HTML part: a single text/plain message
        ("Plain only", "els@example.be", ""),
    ],
)
@pytest.mark.django_db
def test_the_outbox_sender_writes_the_message_django_would(sink, settings, subject, to, html):
    """``WireMessage`` skips Django's ``EmailMessage`` for speed; what arrives must not differ."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.DEFAULT_FROM_EMAIL = "e-loket Gent–Liège <no-reply@eloket.example.be>"
    text = "Dag,\n\nUw dossier: https://eloket.example.be/nl/mijn/dossiers/RB-26-0001/\n\n— e-loket"
    wire, django = (
        Notification.objects.create(
            key=f"compare:{which}", template="dossier_created", to_email=to,
            subject=subject, body_text=text, body_html=html,
        )
        for which in ("wire", "django")
    )  # fmt: skip

    assert notifications_send([wire.pk])["sent"] == 1
    with get_connection() as connection:
        assert connection.send_messages([_message(django, connection)]) == 1

    by_id = {str(m["Message-ID"]): m for m in sink.messages}
    ours, reference = _compared(by_id[wire.message_id]), _compared(by_id[django.message_id])
    assert ours["headers"].pop("Message-ID") == wire.message_id
    assert reference["headers"].pop("Message-ID") == django.message_id
    assert ours == reference
    assert ours["headers"]["Subject"] == subject and ours["has_date"]
    assert ours["text"].replace("\r\n", "\n").rstrip("\n") == text


@pytest.mark.django_db
def test_a_header_with_a_line_break_fails_that_mail_alone(sink, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    bad, good = (
        Notification.objects.create(
            key=f"header:{n}", template="dossier_created", to_email="an.peeters@example.be",
            subject=subject, body_text="Dag An", body_html="",
        )
        for n, subject in enumerate(["Nieuw dossier\r\nBcc: iedereen@example.be", "Nieuw dossier"])
    )  # fmt: skip

    outcome = notifications_send([bad.pk, good.pk])

    assert (outcome["sent"], outcome["failed"]) == (1, 1)
    bad.refresh_from_db()
    assert bad.status == S.FAILED and "line break" in bad.last_error
    assert [str(m["Subject"]) for m in sink.messages] == ["Nieuw dossier"]
    assert all(m["Bcc"] is None for m in sink.messages)
