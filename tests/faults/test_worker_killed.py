"""A django-q2 cluster killed (kill -9, with all its processes) in the middle of its tasks: one
worker waiting for the SMTP server to accept a mail, the other waiting for a city's webhook to
answer. Nothing is lost: after the claim timeouts, the next cluster's schedules send the mail exactly
once and deliver the webhook again (same ``Eloket-Event-Id``, by which the receiver recognises it).

The timeouts (``ELOKET_MAIL_SENDING_TIMEOUT_MINUTES``, ``ELOKET_WEBHOOK_CLAIM_TIMEOUT_SECONDS``) are
not waited for: the killed claims are moved back in time in the database, which is what the clock
would do. The other window SMTP leaves (the server accepted, the worker died before recording it) is
shown in tests/eloket/mail/test_smtp.py.
"""

from __future__ import annotations

import pytest

from tests.eloket.mail.sinks import StallingSink
from tests.eloket.webhooks.conftest import Answer
from tests.faults.servers import wait_until

pytestmark = pytest.mark.faults


@pytest.fixture
def sink():
    running = StallingSink(stall="before_acceptance").start()
    yield running
    running.stop()


def test_a_worker_killed_mid_task_loses_no_mail_and_no_webhook_and_sends_the_mail_once(
    database, redis, app_on_services, postgres, sink, receiver
):
    name = database.rsplit("/", 1)[1]
    app = app_on_services(
        smtp_port=sink.port,
        ELOKET_WEBHOOK_TIMEOUT_SECONDS=60,
    )
    doomed = app.worker("doomed", wait=False)
    seeded = app.call("seed", citizens=1, webhook_url=receiver.url)
    receiver.secret = seeded["webhook_secret"]
    receiver.answers.append(Answer(delay=120))  # the city's system hangs on the first delivery
    app.ready(doomed)

    app.call("emit", dossier_ids=[seeded["dossiers"][0]["id"]])
    assert sink.stalled.wait(timeout=60), doomed.output()[-3000:]
    wait_until(lambda: receiver.requests, timeout=60, what="the first webhook request")
    doomed.kill()

    def rows():
        return postgres.query(
            "SELECT 'mail', status, attempts FROM eloket_notification UNION ALL "
            "SELECT 'webhook', status, attempts FROM eloket_webhookdelivery ORDER BY 1",
            database=name,
        )

    assert rows() == [("mail", "sending", 1), ("webhook", "sending", 1)]
    assert sink.messages == []
    # The claim timeouts pass (10 minutes for mail, 300 seconds for webhooks, by default).
    postgres.query(
        "UPDATE eloket_notification SET claimed_at = claimed_at - interval '11 minutes';"
        "UPDATE eloket_webhookdelivery SET claimed_at = claimed_at - interval '301 seconds'",
        database=name,
    )
    sink.stall = ""
    survivor = app.worker("survivor", wait=False)
    app.call(
        "steps",
        steps=[
            ["enqueue", {"func": "eloket.mail.tasks.notifications_recover"}],
            ["enqueue", {"func": "eloket.webhooks.tasks.webhooks_retry"}],
        ],
    )
    app.ready(survivor)

    wait_until(
        lambda: rows() == [("mail", "sent", 2), ("webhook", "succeeded", 2)],
        timeout=90,
        what="the mail sent and the webhook delivered",
        describe=rows,
    )
    [(notification,)] = postgres.query("SELECT id FROM eloket_notification", database=name)
    assert sink.message_ids() == {f"<notification-{notification}@eloket.localhost>": 1}
    assert sink.dropped == 1  # the message the killed worker was handing over was never accepted
    event_ids = [r.headers["Eloket-Event-Id"] for r in receiver.requests]
    assert len(event_ids) == 2 and len(set(event_ids)) == 1
    assert all(r.verified for r in receiver.requests)
