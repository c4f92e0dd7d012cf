"""Fixtures of the login tests: the real OpenID provider (tests/oidc_provider) and the settings that point
the e-loket at it."""

from __future__ import annotations

import os

import pytest

from eloket.auth import oidc
from tests.browser.live_site import free_port
from tests.oidc_provider import (
    CLIENT_SECRET,
    OidcProvider,
    available,
    private_key_jwt_client,
    rsa_private_key_pem,
    web_client,
)

CALLBACK = "http://testserver/account/oidc/acmidm/login/callback/"
LOGGED_OUT = "http://testserver/nl/afgemeld/"


@pytest.fixture(scope="session")
def client_private_key() -> str:
    return rsa_private_key_pem()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory, client_private_key):
    reason = available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    provider = OidcProvider(port=free_port(), workdir=tmp_path_factory.mktemp("oidc-provider"))
    provider.start(
        clients=[
            web_client(client_id="eloket", redirect_uri=CALLBACK, post_logout_redirect_uri=LOGGED_OUT),
            private_key_jwt_client(
                client_id="eloket-jwt",
                redirect_uri=CALLBACK,
                public_jwk=oidc.public_jwk(client_private_key, "eloket-test-key"),
            ),
        ]
    )
    yield provider
    provider.stop()


def oidc_app(provider: OidcProvider, *, client_id: str = "eloket", **app_settings) -> dict:
    return {
        "provider_id": "acmidm",
        "name": "Vlaamse overheid (test)",
        "client_id": client_id,
        "secret": CLIENT_SECRET if client_id == "eloket" else "",
        "settings": {
            "server_url": provider.issuer,
            "token_auth_method": "client_secret_basic",
            "scope": ["openid", "profile", "vo", "rrn"],
            "assertion_audience": provider.issuer,
            "fetch_userinfo": True,
            **app_settings,
        },
    }


def configure(settings, app: dict) -> None:
    settings.OIDC_APP = app
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [app],
        }
    }


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """The e-loket with the test provider as its government login (client secret)."""
    configure(settings, oidc_app(oidc_provider))
    return settings
