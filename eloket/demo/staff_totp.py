"""TOTP for the demo's staff logins: every staff account gets an authenticator with one shared, published
secret (README), so that the demo's admin logins keep working with any authenticator app or with
``manage.py demo_totp`` (prints the current code). Demo mode only: production settings
refuse demo mode, and there every staff member sets up TOTP on first login."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

# Base32, as authenticator apps take it. Public on purpose: it protects fictitious demo data only.
DEMO_TOTP_SECRET = "ELOKETDEMOTOTPSECRETVOORDEMO2345"  # noqa: S105


PERIOD_SECONDS = 30
DIGITS = 6


def totp_code(secret: str = DEMO_TOTP_SECRET, *, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238: 30-second steps, 6 digits, HMAC-SHA1), as
    allauth.mfa checks it."""
    counter = int(time.time() if at is None else at) // PERIOD_SECONDS
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def seed_staff_totp(*, stdout=None) -> int:
    """An authenticator with the demo secret for every staff account that has none."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db.models import Q

    from eloket.auth.staff import is_staff_user
    from eloket.models import User

    with_totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id")
    candidates = (
        User.objects.filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(groups__isnull=False)
            | Q(user_permissions__isnull=False)
        )
        .exclude(pk__in=with_totp)
        .distinct()
    )
    count = 0
    for user in candidates:
        if is_staff_user(user):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            count += 1
    if stdout is not None and count:
        stdout.write(f"TOTP set up for {count} demo staff account(s) (secret in README)")
    return count
