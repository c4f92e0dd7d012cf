"""The request id of the work in progress: a request, or a django-q2 task queued by one.

A context variable, so that threads and tasks each see their own; logging reads it through
``eloket.observability.logs.RequestIdFilter``.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy may hand us: a UUID, a hex or base64url token, an nginx $request_id. Anything else
# (too long, spaces, quotes, control characters) is replaced rather than copied into every log line.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_request_id: ContextVar[str | None] = ContextVar("eloket_request_id", default=None)


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """The proxy's id when it is well-formed, else a new one."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return request_id_new()


def request_id_get() -> str | None:
    return _request_id.get()


def request_id_bind(value: str | None) -> Token:
    """Make ``value`` the current request id; give the token back to ``request_id_reset``."""
    return _request_id.set(value)


def request_id_reset(token: Token) -> None:
    _request_id.reset(token)
