"""A real OpenID Connect provider for the tests: ``server.mjs`` (panva's oidc-provider, installed from npm
by ``make install``) on 127.0.0.1, standing in for ACM/IDM with three test users (``burger``,
``vertegenwoordiger`` with an EA capacity and a KBO number, ``zonder-rrn``).

``OidcProvider.start(clients=[...])`` runs it in a subprocess and waits until it listens; ``stop()`` ends
it. ``login_through(...)`` walks its login page with ``requests`` (for tests without a browser).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROVIDER_DIR = Path(__file__).resolve().parent
START_TIMEOUT_S = 30.0
USERS = ("burger", "vertegenwoordiger", "zonder-rrn")
# The national numbers server.mjs gives its users (valid, fictitious).
NATIONAL_NUMBERS = {"burger": "90010100123", "vertegenwoordiger": "17073003384"}
ENTERPRISE_NUMBER = "0403019261"
CLIENT_SECRET = "test-client-secret-" + "x" * 24  # the test provider's own client


def available() -> str | None:
    """Why the provider cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return "the test OpenID provider is not installed (make install runs npm ci in tests/oidc_provider)"
    return None


def rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class OidcProvider:
    port: int
    workdir: Path
    process: subprocess.Popen | None = None
    clients: list[dict] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, clients: list[dict]) -> OidcProvider:
        self.clients = clients
        config = self.workdir / "oidc-provider.json"
        config.write_text(json.dumps({"port": self.port, "clients": clients}))
        log = (self.workdir / "oidc-provider.log").open("w")
        self.process = subprocess.Popen(
            ["node", str(PROVIDER_DIR / "server.mjs"), str(config)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "NODE_ENV": "test"},
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("ready "):
                return self
            if not line and self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(
            f"the OpenID provider did not start: {(self.workdir / 'oidc-provider.log').read_text()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def web_client(*, client_id: str, redirect_uri: str, post_logout_redirect_uri: str) -> dict:
    return {
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [redirect_uri],
        "post_logout_redirect_uris": [post_logout_redirect_uri],
        "token_endpoint_auth_method": "client_secret_basic",
    }


def private_key_jwt_client(*, client_id: str, redirect_uri: str, public_jwk: dict) -> dict:
    return {
        "client_id": client_id,
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "RS256",
        "jwks": {"keys": [public_jwk]},
    }


def login_through(authorization_url: str, *, user: str) -> str:
    """Follow the authorization request to the provider's login page, choose ``user``, and return the
    redirect back to the client (the callback URL with code and state), without following it."""
    import re

    import requests

    with requests.Session() as browser:
        response = browser.get(authorization_url, allow_redirects=True, timeout=10)
        response.raise_for_status()
        action = re.search(
            rf'<form method="post" action="([^"]+)">\s*<input type="hidden" name="login" value="{user}">',
            response.text,
        )
        if action is None:
            raise AssertionError(
                f"no login button for {user} on the provider's page:\n{response.text[:2000]}"
            )
        response = browser.post(
            urljoin(response.url, action.group(1)), data={"login": user}, allow_redirects=False, timeout=10
        )
        while response.status_code in (302, 303) and response.headers["Location"].startswith(
            ("/", "http://127.0.0.1")
        ):
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(authorization_url.split("/auth")[0]):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            return response.headers["Location"]
        raise AssertionError(
            f"the provider did not redirect back ({response.status_code}):\n{response.text[:2000]}"
        )
