"""Scale-out (docs/deployment.md): two web processes (gunicorn, two workers each) on two loopback ports
and two django-q2 clusters, against one PostgreSQL and one Redis (broker and cache), as several
machines behind a load balancer would run. What must hold across processes:

- a session made on one web process is valid on the other (sessions live in the database);
- a rate limit counted on one web process is enforced on the other (the cache is Redis, not memory);
- the same work handed to both clusters is done once (row claims with SKIP LOCKED);
- outbox events written through one web process are dispatched exactly once by the two clusters.
"""

from __future__ import annotations

import json
import re
from collections import Counter

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


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def open_dossier(session: requests.Session, base: str, *, reference: str, plate: str, check: str):
    """The "one dossier without login" form: a session grant, rate-limited per reference (cache)."""
    url = f"{base}/nl/dossier-openen/"
    token = csrf_token(session, url)
    return session.post(
        url,
        data={"csrfmiddlewaretoken": token, "reference": reference, "plate": plate, "check": check},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )


def test_two_web_processes_and_two_workers_share_sessions_rate_limits_claims_and_the_outbox(
    database, redis, app_on_services, postgres, sink, receiver
):
    app = app_on_services(
        smtp_port=sink.port,
        ELOKET_GUEST_ACCESS_RATE="100/h",
        ELOKET_GUEST_ACCESS_REFERENCE_RATE="3/h",
    )
    seeded = app.call("seed", citizens=6, webhook_url=receiver.url, api_key=True)
    receiver.secret = seeded["webhook_secret"]
    first, second = seeded["dossiers"][0], seeded["dossiers"][1]
    web1, one = app.web("web1", wait=False)
    web2, two = app.web("web2", wait=False)
    worker1 = app.worker("worker1", wait=False)
    worker2 = app.worker("worker2", wait=False)
    app.ready(web1, web2, worker1, worker2)

    # A session made on web 1 works on web 2 (a browser behind a load balancer that is not sticky).
    browser = requests.Session()
    granted = open_dossier(
        browser, one, reference=first["reference"], plate=first["plate"], check=first["ogm"][-4:]
    )
    assert granted.status_code == 302, granted.text[-500:]
    page = browser.get(f"{two}/nl/mijn/dossiers/{first['reference']}/", allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert first["reference"] in page.text
    stranger = requests.Session()
    refused = stranger.get(f"{two}/nl/mijn/dossiers/{first['reference']}/", allow_redirects=False, timeout=10)
    assert refused.status_code == 302  # no session, no dossier: to the login

    # Three wrong attempts for a reference on web 1 use up its limit (3/h); the right values on web 2
    # are then refused as well.
    guesser = requests.Session()
    for _ in range(3):
        wrong = open_dossier(guesser, one, reference=second["reference"], plate="9-ZZZ-999", check="0000")
        assert wrong.status_code == 404
    owner = requests.Session()
    limited = open_dossier(
        owner, two, reference=second["reference"], plate=second["plate"], check=second["ogm"][-4:]
    )
    assert limited.status_code == 429

    # Outbox events written through web 1 (the city's system tells of a reminder through the API),
    # and "new dossier" events written beside them: dispatched by whichever cluster takes the poke, each
    # reaches the city's webhook once and becomes one mail. Every dispatch is asked of both clusters
    # several times over, and so are the sending tasks and the webhook retry job.
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {seeded['api_key']}"
    for dossier in seeded["dossiers"]:
        reminded = api.post(
            f"{one}/api/v1/dossiers/{dossier['external_id']}/status/",
            data=json.dumps({"type": "reminder_sent"}),
            headers={"Content-Type": "application/json"},
            timeout=20,
        )
        assert reminded.status_code == 200, reminded.text[-500:]
    app.call(
        "steps",
        steps=[
            ["emit", {"dossier_ids": [d["id"] for d in seeded["dossiers"]]}],
            ["enqueue", {"func": "eloket.outbox.outbox_dispatch", "times": 6}],
        ],
    )
    name = database.rsplit("/", 1)[1]
    events = 2 * len(seeded["dossiers"])
    assert postgres.query("SELECT count(*) FROM eloket_outboxevent", database=name) == [(events,)]

    def state() -> str:
        return repr(
            postgres.query(
                "SELECT status, attempts, count(*) FROM eloket_webhookdelivery GROUP BY 1, 2", database=name
            )
            + postgres.query("SELECT status, count(*) FROM eloket_notification GROUP BY 1", database=name)
            + postgres.query(
                "SELECT count(*) FROM eloket_outboxevent WHERE dispatched_at IS NULL", database=name
            )
        )

    wait_until(
        lambda: len({r.headers["Eloket-Event-Id"] for r in receiver.requests}) >= events or None,
        timeout=60,
        what=f"{events} webhook deliveries",
        describe=state,
    )
    wait_until(lambda: len(sink.messages) >= events or None, timeout=60, what="the mails", describe=state)
    ids = [row[0] for row in postgres.query("SELECT id FROM eloket_notification ORDER BY id", database=name)]
    app.call(
        "steps",
        steps=[
            ["enqueue", {"func": "eloket.mail.tasks.notifications_send_batch", "args": [ids], "times": 6}],
            ["enqueue", {"func": "eloket.webhooks.tasks.webhooks_retry", "times": 4}],
        ],
    )
    wait_until(
        lambda: (
            postgres.query(
                "SELECT count(*) FROM django_q_task WHERE func IN "
                "('eloket.mail.tasks.notifications_send_batch', 'eloket.webhooks.tasks.webhooks_retry')",
                database=name,
            )[0][0]
            >= 10
        ),
        timeout=60,
        what="the repeated tasks to run",
    )

    deliveries = Counter(r.headers["Eloket-Event-Id"] for r in receiver.requests)
    assert len(deliveries) == events and set(deliveries.values()) == {1}
    assert all(r.verified for r in receiver.requests)
    assert postgres.query(
        "SELECT count(*) FILTER (WHERE dispatched_at IS NULL), count(*) FROM eloket_outboxevent",
        database=name,
    ) == [(0, events)]
    assert postgres.query(
        "SELECT status, attempts, count(*) FROM eloket_webhookdelivery GROUP BY 1, 2", database=name
    ) == [("succeeded", 1, events)]
    assert sorted(sink.message_ids().values()) == [1] * events
    assert postgres.query("SELECT status, count(*) FROM eloket_notification GROUP BY 1", database=name) == [
        ("sent", events)
    ]
    # Both clusters took part.
    for worker in (worker1, worker2):
        assert re.search(r"processing .*eloket\.", worker.output(), re.IGNORECASE), worker.output()[-2000:]
