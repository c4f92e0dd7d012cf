"""The Content-Security-Policy: strict on every citizen page; Wagtail's admin runs only the inline scripts
that carry the response's nonce (eloket.admin_csp; in Chromium: tests/browser/test_admin_csp.py)."""

import pytest

from tests.csp_check import nonce_of, policy_of
from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db


def test_citizen_pages_allow_no_inline_script_or_style(client):
    policy = policy_of(client.get("/nl/aanmelden/"))
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


def test_the_admin_runs_only_its_own_inline_scripts_by_their_nonce(client):
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/beheer/")
    assert response.status_code == 200
    policy = policy_of(response)
    assert "'unsafe-inline'" not in policy["script-src"] and "'self'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
    again = policy_of(client.get("/beheer/"))
    assert nonce_of(again) != nonce_of(policy)  # a fresh nonce for every response
