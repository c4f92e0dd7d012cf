"""E-mail over a real SMTP server (tests.mail_sink): both parts and the link arrive; and exactly once
when a worker process is killed mid-send, as far as SMTP allows (docs/mail.md)."""

from __future__ import annotations

import signal

import pytest

from eloket.constants import NotificationStatus as S
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
