"""A local stand-in for the part of Stripe's HTTP API the e-loket uses, for the demo and the tests.

Speaks the wire format the ``stripe`` SDK expects (form-encoded parameters with ``a[b][0]`` nesting,
``Authorization: Bearer``, ``Stripe-Account``, ``Idempotency-Key``; JSON objects and errors shaped as
Stripe's), so the same adapter code (``eloket.payments.stripe_provider``) runs against it and against
Stripe. Calls:

* ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/{id}``,
  ``POST /v1/checkout/sessions/{id}/expire``
* ``POST /v1/refunds``, ``GET /v1/refunds/{id}``
* a hosted checkout page ``GET /checkout/pay/{id}`` with four choices: pay now (Bancontact or card),
  pay with a delayed confirmation (success or failure a moment later), and cancel (back to the shop).

Events (``checkout.session.completed``, ``…async_payment_succeeded`` / ``_failed``,
``checkout.session.expired``, ``refund.updated``, ``charge.refunded``) are signed as Stripe signs them
(``Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.payload")``) and POSTed to the webhook URL, with
retries. Tests may pass ``deliver`` to receive the signed requests instead of an HTTP POST.

For the fault tests (tests/faults), ``api_fault`` makes every ``/v1/`` call answer as Stripe does on a
bad day: ``"error"`` a 500 ``api_error``, ``"hang"`` no answer for ``hang_s`` seconds (the client's
timeout comes first). The hosted page and the webhooks are not affected.

Standard library only: it starts in milliseconds, in a thread (tests) or as
``python -m eloket.payments.standin --port 12111`` (``make demo``). State lives in memory.
It listens on 127.0.0.1 only and is never used by production settings.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import queue
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

logger = logging.getLogger("eloket.payments.standin")

Deliver = Callable[[str, bytes, dict[str, str]], int]
# The hosted page's choices: pay now with a method, pay with a delayed outcome, or go back.
HOSTED_ACTIONS = ("bancontact", "card", "later_success", "later_failure", "cancel")


def decode_form(body: str) -> dict:
    """Stripe's form encoding (``line_items[0][price_data][currency]=eur``) back into nested data."""
    result: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        target = result
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                target[part] = value
            else:
                target = target.setdefault(part, {})
    return _lists(result)


def _lists(value):
    """Dicts keyed 0, 1, 2 … become lists, as Stripe reads them."""
    if isinstance(value, dict):
        converted = {k: _lists(v) for k, v in value.items()}
        if converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return value


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, code: str = "", param: str = "", kind: str = ""):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.kind = kind or "invalid_request_error"

    def body(self) -> dict:
        error = {"type": self.kind, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


@dataclass
class StandIn:
    """The stand-in's state and behaviour, independent of HTTP (``serve`` puts it on a port)."""

    webhook_url: str = ""
    webhook_secret: str = "whsec_standin"  # noqa: S105 (the stand-in's own test secret)
    async_delay_s: float = 2.0
    refund_delay_s: float = 1.0
    deliver: Deliver | None = None
    base_url: str = ""
    sessions: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    intents: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    api_fault: str = ""  # "" | "error" | "hang" (fault tests)
    hang_s: float = 30.0
    # Every webhook delivery attempt: (event id, the endpoint's HTTP status, 0 when unreachable).
    attempts: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.RLock()
        self._idempotency: dict[tuple[str, str, str], tuple[str, int, dict]] = {}
        self._outbox: queue.Queue = queue.Queue()
        self._timers: list[threading.Timer] = []
        self._delivered = 0
        self._sender = threading.Thread(target=self._send_loop, name="standin-webhooks", daemon=True)
        self._sender.start()

    # -- API ---------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict, headers: dict[str, str]) -> tuple[int, dict]:
        key = headers.get("authorization", "")
        if not key.startswith("Bearer sk_"):
            raise StripeError(401, "Invalid API Key provided.", kind="invalid_request_error")
        account = headers.get("stripe-account", "")
        idempotency_key = headers.get("idempotency-key", "")
        if method == "POST" and idempotency_key:
            fingerprint = json.dumps(params, sort_keys=True)
            with self.lock:
                seen = self._idempotency.get((account, path, idempotency_key))
                if seen is not None:
                    if seen[0] != fingerprint:
                        raise StripeError(
                            400,
                            "Keys for idempotent requests can only be used with the same parameters "
                            "they were first used with.",
                            kind="idempotency_error",
                        )
                    return seen[1], seen[2]
                status, body = self._route(method, path, params, account)
                self._idempotency[(account, path, idempotency_key)] = (fingerprint, status, body)
                return status, body
        return self._route(method, path, params, account)

    def _route(self, method: str, path: str, params: dict, account: str) -> tuple[int, dict]:
        routes = [
            ("POST", r"/v1/checkout/sessions", self.session_create),
            ("GET", r"/v1/checkout/sessions/(?P<id>[\w]+)", self.session_get),
            ("POST", r"/v1/checkout/sessions/(?P<id>[\w]+)/expire", self.session_expire),
            ("POST", r"/v1/refunds", self.refund_create),
            ("GET", r"/v1/refunds/(?P<id>[\w]+)", self.refund_get),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return 200, handler(params=params, account=account, **match.groupdict())
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def session_create(self, *, params: dict, account: str) -> dict:
        items = params.get("line_items") or []
        if not items:
            raise StripeError(400, "Missing required param: line_items.", param="line_items")
        amount = 0
        for item in items:
            price = item.get("price_data") or {}
            if (price.get("currency") or "").lower() != "eur":
                raise StripeError(400, "Bancontact supports only EUR.", param="line_items")
            amount += int(price.get("unit_amount") or 0) * int(item.get("quantity") or 1)
        for required in ("success_url", "cancel_url"):
            if not params.get(required):
                raise StripeError(400, f"Missing required param: {required}.", param=required)
        session_id = _id("cs_test")
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": "eur",
            "client_reference_id": params.get("client_reference_id") or None,
            "created": now,
            "customer_email": params.get("customer_email") or None,
            "expires_at": int(params.get("expires_at") or now + 24 * 3600),
            "livemode": False,
            "locale": params.get("locale") or None,
            "metadata": params.get("metadata") or {},
            "mode": params.get("mode") or "payment",
            "payment_intent": None,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": f"{self.base_url}/checkout/pay/{session_id}",
            "_account": account,
            "_description": ((items[0].get("price_data") or {}).get("product_data") or {}).get("name", ""),
        }
        with self.lock:
            self.sessions[session_id] = session
        return self._public(session)

    def session_get(self, *, params: dict, account: str, id: str) -> dict:
        return self._public(self._session(id, account))

    def session_expire(self, *, params: dict, account: str, id: str) -> dict:
        with self.lock:
            session = self._session(id, account)
            if session["status"] != "open":
                raise StripeError(
                    400,
                    f"Only Checkout Sessions with a status in ['open'] can be expired. This Checkout "
                    f"Session has a status of '{session['status']}'.",
                    code="checkout_session_not_open",
                )
            session["status"] = "expired"
            self._emit("checkout.session.expired", session)
            return self._public(session)

    def refund_create(self, *, params: dict, account: str) -> dict:
        intent_id = params.get("payment_intent") or ""
        with self.lock:
            intent = self.intents.get(intent_id)
            if intent is None or intent["account"] != account:
                raise StripeError(
                    404,
                    f"No such payment_intent: '{intent_id}'",
                    code="resource_missing",
                    param="payment_intent",
                )
            amount = int(params.get("amount") or intent["amount"] - intent["refunded"])
            if amount <= 0 or amount > intent["amount"] - intent["refunded"]:
                raise StripeError(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge.",
                    code="charge_exceeds_source_limit",
                    param="amount",
                )
            intent["refunded"] += amount
            refund = {
                "id": _id("re"),
                "object": "refund",
                "amount": amount,
                "charge": intent["charge"],
                "created": int(time.time()),
                "currency": "eur",
                "metadata": params.get("metadata") or {},
                "payment_intent": intent_id,
                "status": "pending",
                "_account": account,
            }
            self.refunds[refund["id"]] = refund
            self._later(self.refund_delay_s, self._refund_settle, refund["id"])
            return self._public(refund)

    def refund_get(self, *, params: dict, account: str, id: str) -> dict:
        with self.lock:
            refund = self.refunds.get(id)
            if refund is None or refund["_account"] != account:
                raise StripeError(404, f"No such refund: '{id}'", code="resource_missing", param="id")
            return self._public(refund)

    # -- The hosted checkout page ------------------------------------------------------------------

    def checkout_action(self, session_id: str, action: str) -> str:
        """What the customer chose on the hosted page; returns the URL to send them back to."""
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                raise StripeError(404, "No such checkout session")
            if action not in HOSTED_ACTIONS or (
                action in ("bancontact", "card") and action not in session["payment_method_types"]
            ):
                raise StripeError(400, f"Unknown choice {action!r} on the hosted page")
            if action == "cancel" or session["status"] != "open":
                return session["cancel_url"] if action == "cancel" else session["success_url"]
            self._complete(session, paid=action in ("bancontact", "card"), method=action)
            if action == "later_success":
                self._later(self.async_delay_s, self._async_outcome, session_id, True)
            elif action == "later_failure":
                self._later(self.async_delay_s, self._async_outcome, session_id, False)
            return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)

    def _complete(self, session: dict, *, paid: bool, method: str) -> None:
        intent_id = _id("pi")
        self.intents[intent_id] = {
            "amount": session["amount_total"],
            "refunded": 0,
            "account": session["_account"],
            "charge": _id("ch"),
        }
        session.update(
            status="complete", payment_status="paid" if paid else "unpaid", payment_intent=intent_id
        )
        session["metadata"] = {
            **session["metadata"],
            "method_used": "bancontact" if "later" in method else method,
        }
        self._emit("checkout.session.completed", session)

    def _async_outcome(self, session_id: str, success: bool) -> None:
        with self.lock:
            session = self.sessions[session_id]
            if success:
                session["payment_status"] = "paid"
                self._emit("checkout.session.async_payment_succeeded", session)
            else:
                self._emit("checkout.session.async_payment_failed", session)

    def _refund_settle(self, refund_id: str) -> None:
        with self.lock:
            refund = self.refunds[refund_id]
            refund["status"] = "succeeded"
            self._emit("refund.updated", refund)
            intent = self.intents[refund["payment_intent"]]
            charge = {
                "id": intent["charge"],
                "object": "charge",
                "amount": intent["amount"],
                "amount_refunded": intent["refunded"],
                "payment_intent": refund["payment_intent"],
                "refunded": intent["refunded"] >= intent["amount"],
                "refunds": {
                    "object": "list",
                    "data": [
                        self._public(r)
                        for r in self.refunds.values()
                        if r["payment_intent"] == refund["payment_intent"]
                    ],
                },
            }
            self._emit("charge.refunded", charge, account=refund["_account"])

    def page(self, session_id: str) -> str:
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                raise StripeError(404, "No such checkout session")
            session = dict(session)
        amount = f"€ {session['amount_total'] // 100},{session['amount_total'] % 100:02d}"
        action = f"/checkout/pay/{session_id}"
        if session["status"] != "open":
            body = (
                f"<p>Deze betaalsessie is niet meer open ({html.escape(session['status'])}).</p>"
                f'<p><a href="{html.escape(session["success_url"])}">Terug naar het e-loket</a></p>'
            )
        else:
            buttons = "".join(
                f'<button type="submit" name="action" value="{value}">{label}</button>'
                for value, label in (
                    ("bancontact", "Betalen met Bancontact"),
                    ("card", "Betalen met kaart"),
                    ("later_success", "Betalen, bevestiging volgt later (lukt)"),
                    ("later_failure", "Betalen, bevestiging volgt later (mislukt)"),
                )
                if value.startswith("later") or value in session["payment_method_types"]
            )
            body = (
                f"<p>Bedrag: <strong data-testid='standin-amount'>{amount}</strong></p>"
                f"<p>{html.escape(session['_description'])}</p>"
                f'<form method="post" action="{action}">{buttons}</form>'
                f'<form method="post" action="{action}">'
                f'<button type="submit" name="action" value="cancel">Annuleren en terug</button></form>'
            )
        return (
            '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Testbetaalpagina (Stripe stand-in)</title></head><body><main>"
            "<h1>Testbetaalpagina</h1><p>Dit is de lokale stand-in voor Stripe Checkout: er wordt geen "
            f"echt geld betaald.</p>{body}</main></body></html>"
        )

    # -- Events ------------------------------------------------------------------------------------

    def _emit(self, event_type: str, obj: dict, *, account: str | None = None) -> dict:
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "type": event_type,
            "account": obj.get("_account", "") if account is None else account,
            "livemode": False,
            "data": {"object": self._public(obj)},
        }
        self.events.append(event)
        self._outbox.put(event)
        return event

    def signed_request(self, event: dict) -> tuple[bytes, dict[str, str]]:
        payload = json.dumps(event).encode()
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload, self.webhook_secret)}
        return payload, headers

    def _send_loop(self) -> None:
        while True:
            event = self._outbox.get()
            if event is None:
                return
            payload, headers = self.signed_request(event)
            for attempt in range(5):
                try:
                    status = self._deliver(payload, headers)
                except OSError as error:
                    logger.warning("standin_webhook_failed event=%s error=%s", event["id"], error)
                    status = 0
                with self.lock:
                    self.attempts.append((event["id"], status))
                if 200 <= status < 300 or (status == 0 and not self.webhook_url and self.deliver is None):
                    break
                time.sleep(0.2 * 2**attempt)  # Stripe retries too, with back-off
            with self.lock:
                self._delivered += 1

    def _deliver(self, payload: bytes, headers: dict[str, str]) -> int:
        if self.deliver is not None:
            return self.deliver(self.webhook_url, payload, headers)
        if not self.webhook_url:
            return 0
        request = urllib.request.Request(self.webhook_url, data=payload, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def drain(self, timeout_s: float = 5.0) -> None:
        """Wait until every queued event has been handed over (tests)."""
        deadline = time.monotonic() + timeout_s
        while self._delivered < len(self.events) and time.monotonic() < deadline:
            time.sleep(0.005)  # waiting for the sender thread, not a test assertion

    def _later(self, delay_s: float, function, *args) -> None:
        if delay_s <= 0:
            function(*args)
            return
        timer = threading.Timer(delay_s, function, args)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._outbox.put(None)

    # -- helpers -----------------------------------------------------------------------------------

    def _session(self, session_id: str, account: str) -> dict:
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None or session["_account"] != account:
                raise StripeError(
                    404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session"
                )
            if session["status"] == "open" and session["expires_at"] <= time.time():
                session["status"] = "expired"
                self._emit("checkout.session.expired", session)
            return session

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        logger.debug("standin %s", format % args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        standin = self.server.standin
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        try:
            if path.startswith("/v1/") and standin.api_fault:
                self._fault(standin)
            elif path.startswith("/v1/"):
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, data = standin.handle(method, path, decode_form(body), headers)
                self._send(status, json.dumps(data).encode(), "application/json")
            elif match := re.fullmatch(r"/checkout/pay/(\w+)", path):
                if method == "GET":
                    self._send(200, standin.page(match[1]).encode(), "text/html; charset=utf-8")
                else:
                    action = dict(parse_qsl(body)).get("action", "")
                    self._redirect(standin.checkout_action(match[1], action))
            else:
                raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        except StripeError as error:
            self._send(error.status, json.dumps(error.body()).encode(), "application/json")

    def _fault(self, standin: StandIn) -> None:
        if standin.api_fault == "hang":
            time.sleep(standin.hang_s)  # the client gives up first
        error = StripeError(500, "An unknown error occurred.", kind="api_error")
        self._send(500, json.dumps(error.body()).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _id("req"))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, url: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: StandIn


@dataclass
class RunningStandIn:
    standin: StandIn
    server: _Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.standin.base_url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.standin.close()


def serve(*, port: int = 0, host: str = "127.0.0.1", **options) -> RunningStandIn:
    """Start the stand-in in a background thread (port 0: a free one) and return it running."""
    server = _Server((host, port), _Handler)
    standin = StandIn(base_url=f"http://{host}:{server.server_address[1]}", **options)
    server.standin = standin
    thread = threading.Thread(target=server.serve_forever, name="standin-http", daemon=True)
    thread.start()
    return RunningStandIn(standin=standin, server=server, thread=thread)
