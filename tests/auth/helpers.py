"""Logging in through the real test provider: the e-loket with Django's test client, the provider's pages
with requests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tests.oidc_provider import login_through


def authorization_url(client, *, next_url: str = "") -> str:
    """POST the login page's button; the e-loket answers with a redirect to the provider."""
    data = {"next": next_url} if next_url else {}
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "acmidm"}), data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def oidc_login(client, *, user: str, next_url: str = ""):
    """The whole login as ``user`` of the test provider; returns the callback's response."""
    callback = login_through(authorization_url(client, next_url=next_url), user=user)
    parts = urlsplit(callback)
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})
