"""The outbox: a mail is a row first, rendered in the recipient's language, sent once."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from eloket import tasks
from eloket.constants import NotificationStatus
from eloket.models import Notification
from eloket.notifications import notification_queue

pytestmark = pytest.mark.django_db


def _queue(key="test:1", language="nl"):
    return notification_queue(
        key=key, template="test_notice", to_email="an@example.be", language=language, context={"name": "An"}
    )


@pytest.fixture(autouse=True)
def test_templates(settings, tmp_path):
    folder = tmp_path / "email"
    folder.mkdir()
    (folder / "test_notice_subject.txt").write_text("{% load i18n %}{% trans 'Geannuleerd' %}\n")
    (folder / "test_notice.txt").write_text("Dag {{ name }}, {{ site_url }}/nl/mijn/\n")
    (folder / "test_notice.html").write_text(
        "{% extends 'email/base.html' %}{% block content %}<p>Dag {{ name }}</p>{% endblock %}"
    )
    # A new list, not an edit in place: only assigning the setting resets Django's template engines.
    engine = {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


def test_a_queued_mail_is_sent_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _queue()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Geannuleerd"
    assert "Dag An, http://" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Message-ID"] == notification.message_id
    assert tasks.notification_send(notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_queueing_the_same_key_twice_gives_one_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = _queue(), _queue()
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_mail_is_written_in_the_recipients_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue(language="fr")
    assert mail.outbox[0].subject == "Annulé"


def test_no_address_no_row():
    assert notification_queue(key="x", template="test_notice", to_email="") is None
    assert not Notification.objects.exists()


def test_a_failed_send_is_recorded_and_retried(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.eloket.test_notifications.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification = _queue()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "refused" in notification.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.notification_send(notification.pk) == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 2)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("refused")
