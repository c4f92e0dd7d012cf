"""A local stand-in for a Mijn Burgerprofiel "cases" API, for the demo and the tests.

No public Mijn Burgerprofiel API for a city to push cases or notifications to was found
(docs/profile.md); this is the shape ``eloket.profile.announcer.StandinAnnouncer`` speaks, not a copy
of a real service. Calls:

* ``POST /v1/cases/{case_id}`` with a JSON announcement and an ``Idempotency-Key`` header: upserts the
  case (by party pseudonym and case id) and adds the announcement, once per key (201 the first time,
  200 with ``"duplicate": true`` after, whatever the body then says);
* ``GET /v1/cases``: JSON, the announcements received and the cases as they stand (tests);
* ``GET /``: an HTML page "announcements received" (``make demo``).

``fault = "error"`` makes every ``/v1/`` POST answer 503 (tests). Standard library only; state lives in
memory, and in a JSON file when ``store`` is given (read at start, written after each change). It
starts in a thread (tests) or as ``python -m eloket.profile.standin --port 12112``; it listens on
127.0.0.1 only and is never used by production settings.
"""

from __future__ import annotations

import html
import json
import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

logger = logging.getLogger("eloket.profile.standin")

MAX_BODY = 64 * 1024


class StandInError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class ProfileStandIn:
    """The stand-in's state and behaviour, independent of HTTP (``serve`` puts it on a port)."""

    base_url: str = ""
    store: Path | None = None
    fault: str = ""  # "" | "error"
    # Every announcement, by Idempotency-Key, in the order received.
    announcements: dict[str, dict] = field(default_factory=dict)
    # Each case as it stands, by "party/case_id".
    cases: dict[str, dict] = field(default_factory=dict)
    # Every POST body as it arrived (tests look at the bytes sent).
    received: list[bytes] = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.RLock()
        if self.store is not None and self.store.exists():
            saved = json.loads(self.store.read_text())
            self.announcements, self.cases = saved.get("announcements", {}), saved.get("cases", {})

    def announce(self, case_id: str, key: str, raw: bytes) -> tuple[int, dict]:
        with self.lock:
            self.received.append(raw)
            if self.fault == "error":
                raise StandInError(503, "the profile is unavailable")
            if not key:
                raise StandInError(400, "Idempotency-Key is required")
            try:
                body = json.loads(raw)
            except ValueError:
                raise StandInError(400, "the body is not JSON") from None
            if not isinstance(body, dict) or not body.get("party") or body.get("case_id") != case_id:
                raise StandInError(400, "party and case_id (the same as in the path) are required")
            seen = self.announcements.get(key)
            if seen is not None:  # a retry of one it has (a later retry may carry a later status)
                return 200, {"case_id": case_id, "announcement_id": key, "duplicate": True}
            self.announcements[key] = {"case_id": case_id, "body": body}
            self.cases[f"{body['party']}/{case_id}"] = {
                "party": body["party"],
                "case_id": case_id,
                **(body.get("case") or {}),
                "last_announcement": key,
            }
            self._save()
            return 201, {"case_id": case_id, "announcement_id": key, "duplicate": False}

    def listing(self) -> dict:
        with self.lock:
            return {
                "announcements": [{"idempotency_key": k, **v} for k, v in self.announcements.items()],
                "cases": list(self.cases.values()),
            }

    def page(self) -> str:
        rows = []
        with self.lock:
            received = list(self.announcements.values())
        for item in reversed(received):
            body, case = item["body"], item["body"].get("case") or {}
            link = case.get("link", "")
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(value))}</td>"
                    for value in (
                        body["party"][:12] + "…",
                        item["case_id"],
                        body.get("title", ""),
                        case.get("status_label") or case.get("status", ""),
                        "ja" if body.get("action_required") else "nee",
                    )
                )
                + f'<td><a href="{html.escape(link)}">{html.escape(link)}</a></td></tr>'
            )
        table = "".join(rows) or '<tr><td colspan="6">Nog geen aankondigingen ontvangen.</td></tr>'
        return (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            "<title>Mijn Burgerprofiel (stand-in)</title>"
            "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style></head><body>"
            "<h1>Mijn Burgerprofiel: stand-in</h1>"
            f"<p>Announcements received: {len(received)} (not the real Mijn Burgerprofiel; see "
            "docs/profile.md).</p>"
            "<table><tr><th>burger (pseudoniem)</th><th>dossier</th><th>titel</th><th>status</th>"
            f"<th>actie nodig</th><th>link</th></tr>{table}</table></body></html>"
        )

    def _save(self) -> None:
        if self.store is not None:
            data = {"announcements": self.announcements, "cases": self.cases}
            self.store.write_text(json.dumps(data, ensure_ascii=False, indent=1))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        logger.debug("profile standin %s", format % args)

    def do_GET(self):
        path = urlsplit(self.path).path
        standin = self.server.standin
        if path == "/":
            self._send(200, standin.page().encode(), "text/html; charset=utf-8")
        elif path == "/v1/cases":
            self._json(200, standin.listing())
        else:
            self._json(404, {"error": f"no such page: {path}"})

    def do_POST(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._json(413, {"error": "too large"})
            return
        raw = self.rfile.read(length) if length else b""
        prefix = "/v1/cases/"
        if not path.startswith(prefix) or "/" in path[len(prefix) :] or path == prefix:
            self._json(404, {"error": f"no such call: POST {path}"})
            return
        try:
            status, data = self.server.standin.announce(
                unquote(path[len(prefix) :]), self.headers.get("Idempotency-Key", ""), raw
            )
        except StandInError as error:
            self._json(error.status, {"error": error.message})
            return
        self._json(status, data)

    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: ProfileStandIn


@dataclass
class RunningStandIn:
    standin: ProfileStandIn
    server: _Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.standin.base_url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(*, port: int = 0, host: str = "127.0.0.1", **options) -> RunningStandIn:
    """Start the stand-in in a background thread (port 0: a free one) and return it running."""
    server = _Server((host, port), _Handler)
    standin = ProfileStandIn(base_url=f"http://{host}:{server.server_address[1]}", **options)
    server.standin = standin
    thread = threading.Thread(target=server.serve_forever, name="profile-standin-http", daemon=True)
    thread.start()
    return RunningStandIn(standin=standin, server=server, thread=thread)
