"""Log records as operators need them: the request id on every record, personal identifiers redacted,
and (in production) one JSON object per line with a named ``event``.

The project's log calls already start with an event name followed by ``key=value`` pairs
(``logger.info("payment_created payment=%s amount_cents=%s", …)``, STYLE 12). The JSON formatter turns
that first word into ``event`` and the pairs into fields, so every existing call is a named event
without being rewritten; a call may also name its event explicitly with ``extra={"event": "…"}``.

Both formatters redact what they write (``redact``): e-mail addresses and national or enterprise
numbers in the message, the fields and the traceback. This is a safety net, not a licence: log calls
must not pass personal identifiers in the first place. It is done when the line is written, not by a
filter that rewrites the record, so that other handlers (pytest's ``caplog`` among them) still see what
the call passed and a test can still catch a call that logs a national number.

The request id filter and the formatter sit on the handler (``config.settings.base.LOGGING``), so they
see the records of every logger, Django's and the libraries' included, not only ours.
"""

from __future__ import annotations

import logging
import re

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from eloket.observability.context import request_id_get

# E-mail addresses, and Belgian national register (or BIS) numbers written in any of the usual ways:
# 85073003361, 85.07.30-033.61, 850730 033 61. Formatted enterprise numbers (0123.456.789) too: a
# sole trader's is as personal as a national number. Digits inside longer runs are left alone.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NATIONAL_NUMBER = re.compile(r"(?<![\d.])\d{2}[. ]?\d{2}[. ]?\d{2}[-. ]?\d{3}[. ]?\d{2}(?![\d])")
_ENTERPRISE_NUMBER = re.compile(r"(?<![\d.])(?:BE ?)?[01]\d{3}\.\d{3}\.\d{3}(?![\d])")

EMAIL_MASK = "[email]"
NATIONAL_NUMBER_MASK = "[national-number]"
ENTERPRISE_NUMBER_MASK = "[enterprise-number]"


def redact(text: str) -> str:
    """``text`` with e-mail addresses and national or enterprise numbers masked."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _ENTERPRISE_NUMBER.sub(ENTERPRISE_NUMBER_MASK, text)
    return _NATIONAL_NUMBER.sub(NATIONAL_NUMBER_MASK, text)


class RequestIdFilter(logging.Filter):
    """Puts the current request id (``eloket.observability.context``) on the record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_get()
        return True


class PlainFormatter(logging.Formatter):
    """The development format: one readable line, ``-`` where there is no request id; redacted."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return redact(super().format(record))


# The event name that starts a message: lower case, with at least one ``_`` or ``.`` (so that a plain
# English first word such as Django's "Not Found:" is not taken for one).
_EVENT = re.compile(r"([a-z][a-z0-9]*(?:[._][a-z0-9]+)+)(?=\s|$)")
_PAIR = re.compile(r"(?:^|\s)([a-z][a-z0-9_]*)=(\S+)")
# Objects Django passes as ``extra`` that must not be dumped into the log (the request's repr carries
# the full URL with its query string; the message already names the path).
_DROPPED_EXTRAS = ("request",)


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per record: ``time``, ``level``, ``logger``, ``message``, ``request_id``,
    ``event`` and the message's ``key=value`` pairs as fields (an explicit ``extra`` wins); every
    string value redacted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in _DROPPED_EXTRAS:
            log_data.pop(key, None)
        message = record.getMessage()
        if not log_data.get("event"):
            match = _EVENT.match(message)
            if match:
                log_data["event"] = match.group(1)
        for key, value in _PAIR.findall(message):
            log_data.setdefault(key, value)

    def process_log_record(self, log_data):
        return {key: redact(value) if isinstance(value, str) else value for key, value in log_data.items()}
