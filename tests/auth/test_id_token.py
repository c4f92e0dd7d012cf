"""ID token validation (eloket.auth.oidc.validate_id_token): tokens signed here with a key of our own,
and a real token of the test provider checked against its published keys."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
import time_machine
from allauth.socialaccount.models import SocialAccount

from eloket.auth import oidc
from tests.oidc_provider import rsa_private_key_pem

ISSUER = "https://authenticatie.example.be/op"
CLIENT_ID = "eloket"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(scope="module")
def signing_key() -> str:
    return rsa_private_key_pem()


@pytest.fixture(scope="module")
def jwks(signing_key) -> dict:
    return {"keys": [oidc.public_jwk(signing_key, "key-1")]}


def token(signing_key: str, *, kid: str = "key-1", algorithm: str = "RS256", **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "abc", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": NONCE}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, signing_key, algorithm=algorithm, headers={"kid": kid})


def validate(raw: str, jwks: dict, **overrides) -> dict:
    arguments = {"issuer": ISSUER, "client_id": CLIENT_ID, "keys": jwks, "nonce": NONCE, **overrides}
    return oidc.validate_id_token(raw, **arguments)


def test_a_good_token_gives_its_claims(signing_key, jwks):
    assert validate(token(signing_key), jwks)["sub"] == "abc"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "https://evil.example/op"}, "issuer"),
        ({"aud": "another-client"}, "audience"),
        ({"aud": [CLIENT_ID, "another-client"]}, "audience"),  # several audiences without azp
        ({"nonce": "another-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, "issued_in_future"),
        ({"sub": None}, "invalid"),
    ],
)
def test_a_token_that_fails_a_check_is_refused(signing_key, jwks, overrides, reason):
    with pytest.raises(oidc.IdTokenRefused) as refused:
        validate(token(signing_key, **overrides), jwks)
    assert refused.value.reason == reason


def test_a_token_signed_with_another_key_is_refused(jwks):
    forged = token(rsa_private_key_pem())  # same kid, another key
    with pytest.raises(oidc.IdTokenRefused) as refused:
        validate(forged, jwks)
    assert refused.value.reason == "signature"


def test_a_token_with_an_unknown_key_id_is_refused(signing_key, jwks):
    with pytest.raises(oidc.IdTokenRefused) as refused:
        validate(token(signing_key, kid="key-2"), jwks)
    assert refused.value.reason == "unknown_key"


def test_unsigned_and_symmetric_tokens_are_refused(signing_key, jwks):
    shared_secret = "a-secret-an-attacker-might-guess-" + "x" * 16
    unsigned = jwt.encode({"iss": ISSUER, "sub": "abc", "aud": CLIENT_ID}, None, algorithm="none")
    hmac_signed = jwt.encode(
        {"iss": ISSUER, "sub": "abc", "aud": CLIENT_ID}, shared_secret, algorithm="HS256"
    )
    for raw in (unsigned, hmac_signed):
        with pytest.raises(oidc.IdTokenRefused) as refused:
            validate(raw, jwks)
        assert refused.value.reason == "algorithm"


def test_a_missing_expected_nonce_refuses_any_token(signing_key, jwks):
    with pytest.raises(oidc.IdTokenRefused):
        validate(token(signing_key), jwks, nonce=None)


# Against the real provider ----------------------------------------------------------------------


@pytest.fixture
def real_id_token(client, oidc_settings, oidc_provider) -> tuple[str, str]:
    """An ID token the test provider issued in a real login, and the nonce the e-loket sent for it."""
    from tests.auth.helpers import oidc_login

    oidc_login(client, user="burger")
    assert SocialAccount.objects.exists()
    raw = oidc.unseal(client.session[oidc.ID_TOKEN_SESSION_KEY])
    return raw, jwt.decode(raw, options={"verify_signature": False})["nonce"]


@pytest.mark.django_db
def test_the_real_providers_token_passes_with_its_published_keys(real_id_token, oidc_provider):
    raw, nonce = real_id_token
    keys = requests.get(f"{oidc_provider.issuer}/jwks", timeout=10).json()
    claims = oidc.validate_id_token(
        raw, issuer=oidc_provider.issuer, client_id="eloket", keys=keys, nonce=nonce
    )
    assert claims["sub"] == "burger"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("issuer", "issuer"),
        ("audience", "audience"),
        ("nonce", "nonce"),
        ("signature", "signature"),
        ("expiry", "expired"),
    ],
)
def test_the_real_providers_token_is_refused_when_a_check_fails(real_id_token, oidc_provider, change, reason):
    raw, nonce = real_id_token
    keys = requests.get(f"{oidc_provider.issuer}/jwks", timeout=10).json()
    arguments = {"issuer": oidc_provider.issuer, "client_id": "eloket", "keys": keys, "nonce": nonce}
    if change == "issuer":
        arguments["issuer"] = "http://127.0.0.1:1/"
    elif change == "audience":
        arguments["client_id"] = "eloket-jwt"
    elif change == "nonce":
        arguments["nonce"] = oidc.new_nonce()
    elif change == "signature":
        header, payload, signature = raw.split(".")
        raw = (
            f"{header}.{payload}.{signature[:-6]}{'AAAAAA' if not signature.endswith('AAAAAA') else 'BBBBBB'}"
        )
    expires = jwt.decode(raw, options={"verify_signature": False})["exp"]
    later = expires + 3600 if change == "expiry" else time.time()
    with pytest.raises(oidc.IdTokenRefused) as refused, time_machine.travel(later, tick=False):
        oidc.validate_id_token(raw, **arguments)
    assert refused.value.reason == reason


def test_the_client_key_command_prints_only_the_public_key(settings, signing_key):
    import io

    from django.core.management import call_command

    settings.OIDC_PRIVATE_KEY = signing_key
    settings.OIDC_APP = {"settings": {"private_key_id": "eloket-2026"}}
    out = io.StringIO()
    call_command("oidc_client_jwk", stdout=out)
    (key,) = __import__("json").loads(out.getvalue())["keys"]
    assert key["kid"] == "eloket-2026" and key["kty"] == "RSA" and key["use"] == "sig"
    assert "d" not in key and "p" not in key  # no private parameter
    assert validate(token(signing_key, kid="eloket-2026"), {"keys": [key]})["sub"] == "abc"
