"""A real SMTP server on localhost for tests (aiosmtpd): what the site sends arrives here over SMTP.

``MailSink.start()`` listens on a free port in a thread; ``messages`` holds every message received, parsed
(``email.message.EmailMessage``); ``wait_for`` polls until a matching one arrives (mail leaves through a
background worker, so it comes a moment after the page that caused it).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class MailSink:
    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> MailSink:
        # aiosmtpd checks it is up by connecting to the port it was given, so it needs a real one.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message.envelope = (envelope.mail_from, tuple(envelope.rcpt_tos))  # what the client said in SMTP
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(
        self, predicate: Callable[[EmailMessage], bool], *, timeout: float = 20, what: str = "a message"
    ) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found[-1]
            time.sleep(0.2)  # polling interval while the worker sends, not an assertion
        subjects = [str(m["Subject"]) for m in self.messages]
        raise AssertionError(f"no {what} arrived within {timeout}s; received: {subjects}")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""
