"""``enqueue_after_commit``: a broker that cannot take a task does not fail the committed change."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from eloket.models import EventType, OutboxEvent
from eloket.outbox import outbox_emit
from eloket.tasks import enqueue_after_commit
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """The edge: django-q2's async_task, as it fails when Redis cannot be reached."""

    def refuse(func, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("eloket.tasks.async_task", refuse)


def test_an_outbox_event_is_kept_for_the_schedule_when_the_broker_refuses_the_poke(
    broker_down, caplog, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    caplog.set_level(logging.ERROR, logger="eloket.tasks")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = outbox_emit(type=EventType.DOSSIER_PAID, organisation_id=organisation.pk)

    assert OutboxEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).exists()
    assert "task_enqueue_failed func=eloket.outbox.outbox_dispatch error=ConnectionError" in caplog.text


def test_every_task_of_a_commit_is_still_asked_for_when_the_first_one_fails(
    broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []

    def refuse_first(func, *args):
        asked.append(func)
        if len(asked) == 1:
            raise RedisConnectionError("refused")
        return "task-id"

    monkeypatch.setattr("eloket.tasks.async_task", refuse_first)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_after_commit("eloket.tasks.dossier_transitioned", 1)
        enqueue_after_commit("eloket.mail.tasks.notifications_send_batch", [1])

    assert asked == ["eloket.tasks.dossier_transitioned", "eloket.mail.tasks.notifications_send_batch"]
