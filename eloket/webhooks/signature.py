"""The signature of an outbound webhook, and its check on the receiving side.

Header ``Eloket-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``, the scheme
Stripe uses: the timestamp is signed with the body, so a captured request cannot be replayed after
the tolerance, and the receiver compares in constant time. More than one ``v1`` may appear; any one
matching is enough: during a rotation's overlap the replaced secret signs too, after the new one.

Standard library only, on purpose: a receiver may copy this file as it is (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request does not carry a valid, recent signature: answer 400 and do nothing."""


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def signature_compute(*, secret: str, timestamp: int, payload: bytes | str) -> str:
    signed = str(timestamp).encode("ascii") + b"." + _as_bytes(payload)
    return hmac.new(_as_bytes(secret), signed, hashlib.sha256).hexdigest()


def signature_header(
    *, secret: str, payload: bytes | str, timestamp: int | None = None, previous: Sequence[str] = ()
) -> str:
    """The ``Eloket-Signature`` value for ``payload`` (the exact bytes sent) signed now.

    ``previous``: secrets that still sign during a rotation's overlap; each adds a ``v1`` after the
    current secret's, all over the same ``t``.
    """
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signatures = [
        f"{SCHEME}={signature_compute(secret=key, timestamp=timestamp, payload=payload)}"
        for key in (secret, *previous)
    ]
    return ",".join([f"t={timestamp}", *signatures])


def signature_verify(
    payload: bytes | str,
    header: str | None,
    secret: str,
    tolerance: int | None = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> int:
    """Check ``header`` against ``payload`` (the raw request body, before any JSON parsing).

    Returns the signed timestamp. Raises ``SignatureError`` when the header is missing or malformed,
    no ``v1`` signature matches, or the timestamp is more than ``tolerance`` seconds away from now
    (``None``: no age check, for tests only).
    """
    if not header:
        raise SignatureError("no Eloket-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("the timestamp is not a number") from None
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("the header has no timestamp or no v1 signature")
    expected = signature_compute(secret=secret, timestamp=timestamp, payload=payload)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("no signature matches the body")
    current = time.time() if now is None else now
    if tolerance is not None and abs(current - timestamp) > tolerance:
        raise SignatureError("the timestamp is outside the tolerance")
    return timestamp
