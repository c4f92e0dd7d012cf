"""PostgreSQL crashes and comes back while a city's system pushes dossiers through the API: requests
during the outage fail at once with the error page (none hangs, no process dies), the web and worker
processes reconnect by themselves, every acknowledged dossier is there, no dossier is half-written
(a dossier and its timeline are one transaction), and the requests retried after the outage give
each dossier exactly once (the API's upsert by external id)."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from eloket.payments.standin import serve as serve_standin
from tests.eloket.mail.sinks import StallingSink
from tests.faults.servers import wait_until

pytestmark = pytest.mark.faults

CLIENTS = 3
PAYERS = 6
QUESTIONS = 6
REQUEST_TIMEOUT = 20


def national_number(serial: int) -> str:
    body = f"850730{serial:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def line(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "kind": "parking_retribution",
        "municipality": "71016",
        "party": {"national_number": national_number(33), "name": "Jan Janssens"},
        "plate": "1-ABC-123",
        "street": "Markt",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "regulation": "RET-2026",
        "status": "notified",
        "notified_at": "2026-11-21T09:00:00+01:00",
    }


@pytest.fixture
def sink():
    running = StallingSink().start()
    yield running
    running.stop()


class CitySystem:
    """Threads that each PUT new dossiers one after the other, recording every answer."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.results: list[tuple[str, str, float, float]] = []  # external id, outcome, sent at, seconds
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def put(self, session: requests.Session, external_id: str) -> str:
        try:
            response = session.put(
                f"{self.base}/api/v1/dossiers/{external_id}/",
                data=json.dumps(line(external_id)),
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            return type(error).__name__
        return str(response.status_code)

    def _run(self, client: int) -> None:
        session = requests.Session()
        number = 0
        while not self.halt.is_set():
            external_id = f"C{client}-{number}"
            started = time.monotonic()
            outcome = self.put(session, external_id)
            with self.lock:
                self.results.append((external_id, outcome, started, time.monotonic() - started))
            number += 1
            if outcome != "201":
                time.sleep(0.2)  # a client's pause after an error, not a test assertion

    def successes_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for _e, outcome, sent, _s in self.results if outcome == "201" and sent > moment)


def test_postgresql_crashing_under_traffic_fails_requests_cleanly_and_loses_or_halves_nothing(
    database, redis, app_on_services, postgres, sink
):
    name = database.rsplit("/", 1)[1]
    app = app_on_services(
        smtp_port=sink.port,
        DATABASE_CONN_MAX_AGE=60,  # persistent connections, as in production: they break in the crash
    )
    web, base = app.web("web", wait=False)
    worker = app.worker("worker", wait=False)
    seeded = app.call("seed", citizens=1, api_key=True)
    app.ready(web, worker)
    city = CitySystem(base, seeded["api_key"])
    assert city.put(requests.Session(), "WARM-UP") == "201"  # the party exists before the rush

    for thread in city.threads:
        thread.start()
    wait_until(lambda: city.successes_since(0) >= 10, timeout=60, what="traffic before the crash")
    postgres.stop("immediate")
    crashed = time.monotonic()
    time.sleep(3)  # the outage: requests keep coming and fail
    postgres.start()
    restarted = time.monotonic()
    wait_until(lambda: city.successes_since(restarted) >= 10, timeout=60, what="traffic after the restart")
    city.halt.set()
    for thread in city.threads:
        thread.join(timeout=REQUEST_TIMEOUT + 5)

    outcomes = {outcome for _e, outcome, _sent, _s in city.results}
    # Sent while the server was certainly down (pg_ctl start returns a moment after it accepts again).
    during = [outcome for _e, outcome, sent, _s in city.results if crashed <= sent < crashed + 2.5]
    # "Unavailable, try again" (eloket.errors), not a hang, a reset or "something went wrong".
    assert during and set(during) == {"503"}, outcomes
    assert outcomes <= {"201", "503"}, outcomes
    assert max(seconds for *_rest, seconds in city.results) < 10
    assert web.alive() and worker.alive()

    # Every acknowledged dossier is there; none is without its timeline (issued, notified).
    acknowledged = {external_id for external_id, outcome, *_ in city.results if outcome == "201"}
    stored = {row[0] for row in postgres.query("SELECT external_id FROM eloket_dossier", database=name)}
    assert acknowledged <= stored
    half_written = postgres.query(
        "SELECT d.external_id FROM eloket_dossier d LEFT JOIN eloket_timelineevent t ON t.dossier_id = d.id "
        "GROUP BY d.id HAVING count(t.id) <> 2",
        database=name,
    )
    assert half_written == []
    # The city's system sends the failed ones again: each dossier exists once.
    failed = {external_id for external_id, outcome, *_ in city.results if outcome != "201"}
    retry = requests.Session()
    assert {
        external_id: city.put(retry, external_id) in ("200", "201") for external_id in failed
    } == dict.fromkeys(failed, True)
    assert postgres.query(
        "SELECT count(*), count(DISTINCT external_id) FROM eloket_dossier WHERE external_id LIKE 'C%%'",
        database=name,
    ) == [(len(acknowledged | failed), len(acknowledged | failed))]

    # The worker reconnected too: an event written now is dispatched and its mail sent.
    app.call("emit", dossier_ids=[seeded["dossiers"][0]["id"]])
    wait_until(lambda: sink.messages, timeout=60, what="the mail after the restart")
    assert postgres.query("SELECT status, count(*) FROM eloket_notification GROUP BY 1", database=name) == [
        ("sent", 1)
    ]


def test_payments_confirmed_while_postgresql_is_down_are_each_booked_once_and_whole(
    database, redis, app_on_services, postgres, sink
):
    """Citizens pay at the (stand-in) provider while the database is down: the provider's webhooks get
    503 and are sent again, the reconciliation asks about what is still open, and in the end every
    payment is booked exactly once, with its dossier paid, its item applied and one "paid" event; no
    payment is left half-booked."""
    name = database.rsplit("/", 1)[1]
    standin = serve_standin(webhook_secret="whsec_standin")
    app = app_on_services(
        smtp_port=sink.port,
        DATABASE_CONN_MAX_AGE=60,
        ELOKET_ONLINE_PAYMENTS="true",
        STRIPE_API_BASE=standin.standin.base_url,
        STRIPE_CHECKOUT_ORIGIN=standin.standin.base_url,
    )
    try:
        web, base = app.web("web", wait=False)
        worker = app.worker("worker", wait=False)
        seeded = app.call("seed", citizens=PAYERS)
        dossier_ids = [dossier["id"] for dossier in seeded["dossiers"]]
        sessions = app.call("payments_start", dossier_ids=dossier_ids)["sessions"]
        standin.standin.webhook_url = f"{base}/betalingen/webhook/stripe/"
        app.ready(web, worker)
        before, during = sessions[: PAYERS // 2], sessions[PAYERS // 2 :]

        def succeeded() -> int:
            return postgres.query(
                "SELECT count(*) FROM eloket_payment WHERE status = 'succeeded'", database=name
            )[0][0]

        for session in before:
            standin.standin.checkout_action(session, "bancontact")
        wait_until(lambda: succeeded() == len(before), timeout=60, what="the payments before the crash")

        postgres.stop("immediate")
        for session in during:  # their webhooks meet a database that is down
            standin.standin.checkout_action(session, "bancontact")
        time.sleep(3)  # the outage
        postgres.start()
        # The stand-in retries for about six seconds, as Stripe retries; what it gave up on is open
        # until the reconciliation asks the provider.
        wait_until(
            lambda: app.call("reconcile") is not None and succeeded() == PAYERS,
            timeout=90,
            what="every payment booked after the restart",
            every=2,
        )
        assert web.alive() and worker.alive()
        # Webhooks did meet the outage, and were answered 503 ("try again"), not 500 or nothing.
        statuses = {status for _event, status in standin.standin.attempts}
        assert 503 in statuses and statuses <= {200, 503}, statuses
    finally:
        standin.stop()

    rows = postgres.query(
        "SELECT d.id, d.status, d.amount_paid_cents = d.amount_original_cents + d.costs_cents,"
        " (SELECT count(*) FROM eloket_payment p JOIN eloket_paymentitem i ON i.payment_id = p.id"
        "   WHERE i.dossier_id = d.id AND p.status = 'succeeded' AND i.applied),"
        " (SELECT count(*) FROM eloket_timelineevent t WHERE t.dossier_id = d.id AND t.kind = 'paid')"
        " FROM eloket_dossier d WHERE d.id = ANY(%s) ORDER BY d.id",
        [dossier_ids],
        database=name,
    )
    assert rows == [(dossier_id, "paid", True, 1, 1) for dossier_id in sorted(dossier_ids)]
    assert postgres.query("SELECT count(*) FROM eloket_payment", database=name) == [(PAYERS,)]


class Question:
    """One citizen's question form: fetched (with its CSRF cookie and one-time key) before it is sent,
    as a page stays open in a browser; sent again with the same key after a failure."""

    def __init__(self, url: str, number: int):
        self.url, self.session = url, requests.Session()
        page = self.session.get(url, timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.fields = {
            name: page.text.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]
            for name in ("csrfmiddlewaretoken", "idempotency_key")
        }
        self.fields.update(
            contact_name=f"Burger {number}",
            contact_email=f"vraag{number}@example.be",
            message=f"Vraag {number}: waar kan ik parkeren?",
        )

    def send(self) -> str:
        try:
            response = self.session.post(
                self.url, data=self.fields, headers={"Referer": self.url}, allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )  # fmt: skip
        except requests.RequestException as error:
            return type(error).__name__
        return str(response.status_code)


def test_questions_sent_while_postgresql_is_down_are_refused_cleanly_then_filed_once_and_whole(
    database, app_on_services, postgres, sink
):
    """Citizens send a question form while the database is down: 503, nothing written; sent again
    (the same form, the same one-time key), each is filed once, with its message, its receipt e-mail
    and its event for the organisation; a second send of a filed form changes nothing."""
    name = database.rsplit("/", 1)[1]
    app = app_on_services(smtp_port=sink.port, DATABASE_CONN_MAX_AGE=60, ELOKET_PUBLIC_FORM_RATE="1000/m")
    web, base = app.web("web", wait=False)
    worker = app.worker("worker", wait=False)
    _seeded, form = app.call("steps", steps=[["seed", {"citizens": 1}], ["question_form", {}]])
    app.ready(web, worker)
    questions = [Question(f"{base}{form['path']}", number) for number in range(QUESTIONS)]
    before, during = questions[:2], questions[2:]
    assert [question.send() for question in before] == ["302", "302"]

    postgres.stop("immediate")
    assert {question.send() for question in during} == {"503"}
    postgres.start()
    wait_until(
        lambda: all(question.send() == "302" for question in during),
        timeout=60,
        what="the questions sent again after the restart",
        every=1,
    )
    assert {question.send() for question in questions} == {"302"}  # sent once more: the same answer

    rows = postgres.query(
        "SELECT s.reference,"
        " (SELECT count(*) FROM eloket_forms_submissionmessage m WHERE m.submission_id = s.id),"
        " (SELECT count(*) FROM eloket_notification n WHERE n.key = 'submission-received:' || s.reference),"
        " (SELECT count(*) FROM eloket_outboxevent e"
        "   WHERE e.type = 'submission.received' AND e.data->>'submission' = s.reference)"
        " FROM eloket_forms_submission s ORDER BY s.id",
        database=name,
    )
    assert len(rows) == QUESTIONS
    assert {tuple(row[1:]) for row in rows} == {(1, 1, 1)}, rows  # message, receipt, event
