"""A real HTTP receiver on 127.0.0.1 in a thread, checking signatures as a city system would, and the
organisations, endpoints and events the webhook tests share."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eloket.constants import StaffRole
from eloket.models import EventType, OutboxEvent, StaffMembership, WebhookEndpoint
from eloket.webhooks import SignatureError, signature_verify
from tests.factories import DossierFactory, OrganisationFactory, person_party
from tests.forms.triage_helpers import clerk_make


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


class Receiver:
    """What a city system runs: answers 400 to a request whose signature does not verify with
    ``secret``, else the next queued ``Answer`` (200 when none is queued)."""

    def __init__(self):
        self.secret = ""
        self.requests: list[Received] = []
        self.answers: deque[Answer] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    signature_verify(body, self.headers.get("Eloket-Signature"), receiver.secret, 300)
                    verified = True
                except SignatureError:
                    verified = False
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body, verified))
                answer = receiver.answers.popleft() if receiver.answers else Answer()
                if not verified:
                    answer = Answer(status=400, body=b"bad signature")
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/eloket"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def other_receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def genk(db):
    return OrganisationFactory(name_nl="Stad Genk", slug="genk")


@pytest.fixture
def hasselt(db):
    return OrganisationFactory(name_nl="Stad Hasselt", slug="hasselt")


def endpoint_make(organisation, url: str, *, events=None, active=True, receiver=None) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=list(events) if events is not None else list(EventType.values),
        active=active,
    )
    if receiver is not None:
        receiver.secret = endpoint.secret
    return endpoint


@pytest.fixture
def genk_endpoint(genk, receiver):
    return endpoint_make(genk, receiver.url, receiver=receiver)


@pytest.fixture
def genk_dossier(genk):
    return DossierFactory(party=person_party(name="Jan Janssens"), organisation=genk, notified=True)


def event_make(organisation, *, type=EventType.DOSSIER_PAID, dossier=None, data=None) -> OutboxEvent:
    """An outbox event as a service writes it (without queueing a dispatch)."""
    return OutboxEvent.objects.create(
        type=type,
        organisation=organisation,
        dossier=dossier,
        party_id=dossier.party_id if dossier is not None else None,
        data=data or {},
    )


def coordinator_make(*organisations, **fields):
    """A clerk login (admin access) who is coordinator of ``organisations``."""
    user = clerk_make(**fields)
    for organisation in organisations:
        StaffMembership.objects.create(user=user, organisation=organisation, role=StaffRole.COORDINATOR)
    return user
