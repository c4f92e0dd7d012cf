"""OpenID Connect pieces that allauth's generic provider leaves to us: a strict ID token check (signature
always, issuer, audience, expiry, nonce), the client's signed JWT for ``private_key_jwt``, the provider's
discovery and keys (cached), and the ID token kept in the session for RP-initiated logout (encrypted:
ACM/IDM's token may carry the national register number).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time

import jwt
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Asymmetric only: never "none", never HS* (a public key used as an HMAC secret).
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_SECONDS = 60
ASSERTION_LIFETIME_SECONDS = 300  # ACM/IDM accepts client JWTs of less than 10 minutes
DISCOVERY_CACHE_SECONDS = 3600
ID_TOKEN_SESSION_KEY = "eloket_oidc_id_token"  # noqa: S105 - a session key's name


class IdTokenRefused(Exception):
    """The ID token fails a check. ``reason`` is a short code for the log (no claims, no token)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def validate_id_token(
    raw: str, *, issuer: str, client_id: str, keys: dict, nonce: str | None, now: float | None = None
) -> dict:
    """The ID token's claims once its signature (by a key in ``keys``, a JWKS), issuer, audience,
    expiry and nonce hold; otherwise ``IdTokenRefused``."""
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError:
        raise IdTokenRefused("malformed") from None
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise IdTokenRefused("algorithm")
    key = _signing_key(keys, kid=header.get("kid"), algorithm=algorithm)
    claims = _decode(raw, key=key, algorithm=algorithm, issuer=issuer, client_id=client_id)
    moment = time.time() if now is None else now
    if float(claims["iat"]) > moment + LEEWAY_SECONDS:
        raise IdTokenRefused("issued_in_future")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("audience")
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise IdTokenRefused("nonce")
    return claims


# What PyJWT's refusals mean, most specific first.
_REFUSALS = (
    (jwt.InvalidSignatureError, "signature"),
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.InvalidIssuerError, "issuer"),
    (jwt.InvalidAudienceError, "audience"),
    (jwt.PyJWTError, "invalid"),
)


def _decode(raw: str, *, key, algorithm: str, issuer: str, client_id: str) -> dict:
    try:
        return jwt.decode(
            raw,
            key=key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        reason = next(code for kind, code in _REFUSALS if isinstance(error, kind))
        raise IdTokenRefused(reason) from None


def _signing_key(keys: dict, *, kid: str | None, algorithm: str):
    candidates = [k for k in keys.get("keys", []) if k.get("use", "sig") == "sig"]
    if kid is not None:
        candidates = [k for k in candidates if k.get("kid") == kid]
    if len(candidates) != 1:
        raise IdTokenRefused("unknown_key")
    try:
        return jwt.PyJWK(candidates[0], algorithm=algorithm).key
    except jwt.PyJWTError:
        raise IdTokenRefused("unknown_key") from None


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


# The provider's discovery document and keys ------------------------------------------------------


def _get_json(url: str) -> dict:
    from allauth.socialaccount.adapter import get_adapter

    with get_adapter().get_requests_session() as session:
        response = session.get(url, timeout=10)
        response.raise_for_status()
        return response.json()


def discovery(server_url: str) -> dict:
    url = server_url if "/.well-known/" in server_url else f"{server_url}/.well-known/openid-configuration"
    key = "eloket:oidc:discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        document = _get_json(url)
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def provider_keys(jwks_uri: str, *, kid: str | None = None) -> dict:
    """The provider's JWKS; fetched again once when a token names a key it does not hold (rotation)."""
    key = "eloket:oidc:jwks:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
    keys = cache.get(key)
    known = keys is not None and (kid is None or any(k.get("kid") == kid for k in keys.get("keys", [])))
    if not known:
        keys = _get_json(jwks_uri)
        cache.set(key, keys, DISCOVERY_CACHE_SECONDS)
    return keys


# private_key_jwt ---------------------------------------------------------------------------------


def client_assertion(*, client_id: str, audience: str, private_key_pem: str, key_id: str = "") -> str:
    """The client's own signed JWT (RFC 7523) that replaces a client secret at the token endpoint."""
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(24),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECONDS,
    }
    headers = {"kid": key_id} if key_id else None
    return jwt.encode(claims, private_key_pem, algorithm="RS256", headers=headers)


def public_jwk(private_key_pem: str, key_id: str = "") -> dict:
    """The public half of the client key, as a JWK for the provider's client registration."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    public_key = load_pem_private_key(private_key_pem.encode(), password=None).public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))
    jwk.update({"use": "sig", "alg": "RS256"})
    if key_id:
        jwk["kid"] = key_id
    return jwk


# The ID token in the session, for logout -----------------------------------------------------------


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"eloket.auth.id_token:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def unseal(value: str) -> str | None:
    try:
        return _fernet().decrypt(value.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def end_session_url(*, server_url: str, id_token: str, client_id: str, post_logout_redirect_uri: str) -> str:
    """Where the browser goes to end the session at the provider too (RP-initiated logout 1.0)."""
    from urllib.parse import urlencode

    endpoint = discovery(server_url).get("end_session_endpoint")
    if not endpoint:
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
