"""Sending outbox e-mails in batches over one connection, what a refusal or a lost connection does to
a batch, and the recovery job that gets rows going again."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from eloket.constants import NotificationStatus as S
from eloket.mail import tasks
from eloket.mail.queue import notifications_write
from eloket.mail.sending import INTERRUPTED, notifications_recover, notifications_send
from eloket.models import Notification

pytestmark = pytest.mark.django_db


class CountingBackend(EmailBackend):
    """The test mailbox, counting connections and refusing what the test asks it to."""

    opened = 0
    refuse: set[str] = set()
    disconnect_after: int | None = None

    def open(self):
        CountingBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.refuse:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such mailbox")})
            if self.disconnect_after is not None and len(mail.outbox) >= self.disconnect_after:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened, CountingBackend.refuse, CountingBackend.disconnect_after = 0, set(), None
    return CountingBackend


def rows(count: int, *, prefix: str = "test") -> list[Notification]:
    return [
        Notification(
            key=f"{prefix}:{n}",
            template="test",
            to_email=f"burger{n}@example.be",
            subject=f"Bericht {n}",
            body_text=f"Dag burger {n}",
            body_html=f"<p>Dag burger {n}</p>",
        )
        for n in range(count)
    ]


def write(count: int, capture, *, execute: bool = True) -> list[int]:
    with capture(execute=execute):
        return notifications_write(rows(count))


def statuses(ids) -> list[str]:
    return list(Notification.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True))


def test_written_rows_go_out_in_one_task_over_one_connection(
    backend, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_SEND_BATCH = 200

    ids = write(30, django_capture_on_commit_callbacks)

    assert backend.opened == 1
    assert len(mail.outbox) == 30
    assert statuses(ids) == [S.SENT] * 30
    first = mail.outbox[0]
    assert first.extra_headers["Message-ID"] == Notification.objects.get(pk=ids[0]).message_id
    assert first.alternatives == [("<p>Dag burger 0</p>", "text/html")]


def test_a_batch_larger_than_the_setting_is_split_into_tasks(
    backend, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_SEND_BATCH = 4

    write(10, django_capture_on_commit_callbacks)

    assert backend.opened == 3
    assert len(mail.outbox) == 10


def test_writing_the_same_keys_again_adds_no_row_and_no_mail(backend, django_capture_on_commit_callbacks):
    write(3, django_capture_on_commit_callbacks)

    again = write(3, django_capture_on_commit_callbacks)

    assert again == []
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


def test_a_refused_address_fails_alone_and_the_batch_goes_on(backend, django_capture_on_commit_callbacks):
    backend.refuse = {"burger1@example.be"}

    ids = write(3, django_capture_on_commit_callbacks)

    assert statuses(ids) == [S.SENT, S.FAILED, S.SENT]
    assert "no such mailbox" in Notification.objects.get(pk=ids[1]).last_error


def test_a_lost_connection_fails_the_mail_in_hand_and_gives_the_rest_back(
    backend, django_capture_on_commit_callbacks
):
    backend.disconnect_after = 2

    ids = write(5, django_capture_on_commit_callbacks)

    assert statuses(ids) == [S.SENT, S.SENT, S.FAILED, S.PENDING, S.PENDING]
    untried = Notification.objects.filter(pk__in=ids[3:])
    assert list(untried.values_list("attempts", "claimed_at")) == [(0, None), (0, None)]


def test_a_sent_mail_is_never_sent_again(backend, django_capture_on_commit_callbacks):
    ids = write(2, django_capture_on_commit_callbacks)

    outcome = notifications_send(ids)

    assert (outcome["sent"], outcome["skipped"]) == (0, 2)
    assert len(mail.outbox) == 2
    assert tasks.notifications_send_batch(ids) == "skipped=2"


def test_recovery_gives_a_stale_sending_row_back_and_it_goes_out_once(
    backend, settings, django_capture_on_commit_callbacks
):
    ids = write(2, django_capture_on_commit_callbacks, execute=False)  # queued, never run
    now = timezone.now()
    claimed_long_ago = now - dt.timedelta(minutes=settings.MAIL_SENDING_TIMEOUT_MINUTES + 1)
    Notification.objects.filter(pk=ids[0]).update(status=S.SENDING, claimed_at=claimed_long_ago, attempts=1)
    Notification.objects.filter(pk=ids[1]).update(status=S.SENDING, claimed_at=now, attempts=1)  # still busy

    with django_capture_on_commit_callbacks(execute=True):
        result = notifications_recover(now=now)

    assert result == {"interrupted": 1, "requeued": 0, "given_up": 0}
    assert statuses(ids) == [S.SENT, S.SENDING]
    assert [m.to for m in mail.outbox] == [["burger0@example.be"]]
    assert Notification.objects.get(pk=ids[0]).attempts == 2


def test_recovery_queues_pending_rows_whose_task_was_lost(
    backend, settings, django_capture_on_commit_callbacks
):
    ids = write(1, django_capture_on_commit_callbacks, execute=False)
    soon = timezone.now() + dt.timedelta(minutes=settings.MAIL_REQUEUE_AFTER_MINUTES - 1)
    later = timezone.now() + dt.timedelta(minutes=settings.MAIL_REQUEUE_AFTER_MINUTES + 1)

    with django_capture_on_commit_callbacks(execute=True):
        too_soon = notifications_recover(now=soon)
        in_time = notifications_recover(now=later)

    assert (too_soon["requeued"], in_time["requeued"]) == (0, 1)
    assert statuses(ids) == [S.SENT]


def test_a_failed_mail_is_retried_after_a_growing_pause_then_given_up(
    backend, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_RETRY_MINUTES, settings.MAIL_MAX_ATTEMPTS = 5, 3
    backend.refuse = {"burger0@example.be"}
    (notification_id,) = write(1, django_capture_on_commit_callbacks)

    def recover_after(minutes: int) -> int:
        claimed = Notification.objects.get(pk=notification_id).claimed_at
        with django_capture_on_commit_callbacks(execute=True):
            return notifications_recover(now=claimed + dt.timedelta(minutes=minutes))["requeued"]

    assert recover_after(4) == 0
    assert recover_after(6) == 1  # second attempt, refused again
    assert recover_after(9) == 0  # the pause doubled
    assert recover_after(11) == 1  # third attempt, refused again
    assert recover_after(60 * 24) == 0  # MAIL_MAX_ATTEMPTS reached
    notification = Notification.objects.get(pk=notification_id)
    assert (notification.status, notification.attempts) == (S.FAILED, 3)


def test_a_row_interrupted_too_often_is_given_up(backend, settings, django_capture_on_commit_callbacks):
    settings.MAIL_MAX_ATTEMPTS = 3
    (notification_id,) = write(1, django_capture_on_commit_callbacks, execute=False)
    long_ago = timezone.now() - dt.timedelta(days=1)
    Notification.objects.filter(pk=notification_id).update(status=S.SENDING, claimed_at=long_ago, attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        result = notifications_recover()

    assert result == {"interrupted": 0, "requeued": 0, "given_up": 1}
    assert mail.outbox == []
    notification = Notification.objects.get(pk=notification_id)
    assert notification.status == S.FAILED
    assert notification.last_error != INTERRUPTED


@pytest.mark.django_db(transaction=True)
def test_a_worker_outside_any_transaction_records_every_mail_sent(backend):
    """As in a django-q2 worker: the batch runs after the commit, so on PostgreSQL the marks are
    written by the batch's own thread and connection (SentMarks)."""
    from django.db import transaction

    with transaction.atomic():
        ids = notifications_write(rows(25))

    assert len(mail.outbox) == 25
    assert statuses(ids) == [S.SENT] * 25
    assert all(Notification.objects.filter(pk__in=ids).values_list("sent_at", flat=True))
