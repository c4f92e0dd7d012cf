"""The receiver's check of ``Eloket-Signature`` (Stripe's scheme: t=…,v1=HMAC-SHA256(secret, "t.body"))."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from eloket.webhooks import SignatureError, signature_header, signature_verify

SECRET = "3f1c0ffee"
BODY = b'{"id":"e1","type":"dossier.paid"}'
NOW = 1_780_000_000


def test_a_signed_body_verifies_and_returns_its_timestamp():
    header = signature_header(secret=SECRET, payload=BODY, timestamp=NOW)
    assert signature_verify(BODY, header, SECRET, 300, now=NOW + 10) == NOW


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body_in_hex():
    header = signature_header(secret=SECRET, payload=BODY, timestamp=NOW)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_a_changed_body_a_wrong_secret_or_a_missing_header_is_refused():
    header = signature_header(secret=SECRET, payload=BODY, timestamp=NOW)
    for payload, given_header, secret in (
        (BODY.replace(b"paid", b"decided"), header, SECRET),
        (BODY, header, "another-secret"),
        (BODY, "", SECRET),
        (BODY, "t=abc,v1=00", SECRET),
        (BODY, f"t={NOW}", SECRET),
    ):
        with pytest.raises(SignatureError):
            signature_verify(payload, given_header, secret, 300, now=NOW)


def test_an_old_or_future_timestamp_is_refused_beyond_the_tolerance():
    header = signature_header(secret=SECRET, payload=BODY, timestamp=NOW)
    with pytest.raises(SignatureError, match="tolerance"):
        signature_verify(BODY, header, SECRET, 300, now=NOW + 301)
    with pytest.raises(SignatureError, match="tolerance"):
        signature_verify(BODY, header, SECRET, 300, now=NOW - 301)
    assert signature_verify(BODY, header, SECRET, None, now=NOW + 10_000) == NOW


def test_any_one_of_several_v1_signatures_may_match():
    good = signature_header(secret=SECRET, payload=BODY, timestamp=NOW).split(",")[1]
    header = f"t={NOW},v1={'0' * 64},{good}"
    assert signature_verify(BODY.decode(), header, SECRET, 300, now=NOW) == NOW
