"""Redis gone while it is the broker and the cache: requests that need it fail with a clear error and
nothing half-done, a change that only needed to poke the workers is kept (the outbox schedule takes
it up), and everything works again once Redis is back, without restarting the application."""

from __future__ import annotations

import json

import pytest
import requests

from tests.eloket.mail.sinks import StallingSink
from tests.faults.servers import wait_until

pytestmark = pytest.mark.faults


@pytest.fixture
def sink():
    running = StallingSink().start()
    yield running
    running.stop()


def test_without_redis_requests_fail_clearly_or_keep_their_change_and_all_recovers_when_it_returns(
    database, redis, app_on_services, postgres, sink, receiver
):
    name = database.rsplit("/", 1)[1]
    app = app_on_services(
        smtp_port=sink.port,
    )
    web, base = app.web("web", wait=False)
    worker = app.worker("worker", wait=False)
    seeded = app.call("seed", citizens=2, webhook_url=receiver.url, api_key=True)
    receiver.secret = seeded["webhook_secret"]
    app.ready(web, worker)
    api = requests.Session()
    api.headers.update({"Authorization": f"Bearer {seeded['api_key']}", "Content-Type": "application/json"})
    first, second = seeded["dossiers"]

    redis.kill()

    # A page that needs only the database still works.
    assert requests.get(f"{base}/nl/dossier-openen/", timeout=10).status_code == 200
    # The city's system reports a reminder: the change and its outbox event are committed; only the
    # poke of the workers failed, and the outbox schedule makes up for it.
    reminded = api.post(
        f"{base}/api/v1/dossiers/{first['external_id']}/status/",
        data=json.dumps({"type": "reminder_sent"}),
        timeout=20,
    )
    assert reminded.status_code == 200, reminded.text[-1000:]
    assert postgres.query(
        "SELECT count(*) FILTER (WHERE dispatched_at IS NULL), count(*) FROM eloket_outboxevent",
        database=name,
    ) == [(1, 1)]
    # Opening a dossier without login counts attempts in the cache: refused with 503 and the page that
    # asks to try again in a few minutes (eloket.errors; the Redis error in the log).
    browser = requests.Session()
    form = browser.get(f"{base}/nl/dossier-openen/", timeout=10)
    token = form.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    refused = browser.post(
        f"{base}/nl/dossier-openen/",
        data={
            "csrfmiddlewaretoken": token,
            "reference": second["reference"],
            "plate": second["plate"],
            "check": second["ogm"][-4:],
        },
        headers={"Referer": f"{base}/nl/dossier-openen/"},
        allow_redirects=False,
        timeout=20,
    )
    assert (refused.status_code, refused.headers.get("Retry-After")) == (503, "30"), refused.status_code
    assert "Probeer het over enkele minuten opnieuw" in refused.text
    assert "sessionid" not in browser.cookies  # no grant was given

    redis.start()

    # The same attempt now works, on the same processes.
    opened = wait_until(
        lambda: (
            browser.post(
                f"{base}/nl/dossier-openen/",
                data={
                    "csrfmiddlewaretoken": token,
                    "reference": second["reference"],
                    "plate": second["plate"],
                    "check": second["ogm"][-4:],
                },
                headers={"Referer": f"{base}/nl/dossier-openen/"},
                allow_redirects=False,
                timeout=20,
            ).status_code
            == 302
        ),
        timeout=30,
        what="the web process to use Redis again",
        every=1,
    )
    assert opened
    # The worker takes tasks again: the outbox schedule's run dispatches the event kept above.
    app.call("enqueue", func="eloket.outbox.outbox_dispatch")
    wait_until(lambda: len(receiver.requests) >= 1, timeout=60, what="the webhook of the kept event")
    wait_until(lambda: len(sink.messages) >= 1, timeout=60, what="the reminder mail")
    assert worker.alive()
    assert "outbox_poke_failed error=ConnectionError" in web.output()
    assert postgres.query(
        "SELECT count(*) FILTER (WHERE dispatched_at IS NULL) FROM eloket_outboxevent", database=name
    ) == [(0,)]
