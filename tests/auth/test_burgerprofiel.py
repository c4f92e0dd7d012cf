"""Mijn Burgerprofiel's global header: off by default; with a widget id, the page loads it and the
Content-Security-Policy allows its origin (and only then)."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WIDGET_ORIGIN = "https://widgets.vlaanderen.be"


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_the_header_is_off_by_default(client):
    response = client.get(reverse("eloket:login"))
    assert "burgerprofiel" not in response.content.decode()
    assert WIDGET_ORIGIN not in response.headers["Content-Security-Policy"]


def test_a_widget_id_switches_the_header_and_its_policy_on(client, settings, monkeypatch):
    from config.settings import base

    monkeypatch.setenv("ELOKET_BURGERPROFIEL_WIDGET_ID", "0a1b2c3d-widget")
    try:
        reloaded = importlib.reload(base)  # the settings as the environment makes them
        settings.BURGERPROFIEL_WIDGET_ID = reloaded.BURGERPROFIEL_WIDGET_ID
        settings.CONTENT_SECURITY_POLICY = reloaded.CONTENT_SECURITY_POLICY
    finally:
        monkeypatch.delenv("ELOKET_BURGERPROFIEL_WIDGET_ID")
        importlib.reload(base)

    response = client.get(reverse("eloket:login"))
    html = response.content.decode()
    assert f'<script src="{WIDGET_ORIGIN}/api/v2/widget/0a1b2c3d-widget/entry"></script>' in html
    assert "js/burgerprofiel-header.js" in html
    directives = policy(response)
    for name in ("script-src", "connect-src", "img-src", "style-src", "frame-src"):
        assert WIDGET_ORIGIN in directives[name], name
    assert "'unsafe-inline'" not in directives["script-src"]
