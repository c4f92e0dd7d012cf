"""The Content-Security-Policy: strict on every citizen page, loosened for Wagtail's admin only."""

import pytest

from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_citizen_pages_allow_no_inline_script_or_style(client):
    policy = _policy(client.get("/nl/aanmelden/"))
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


def test_the_admin_may_run_its_own_inline_scripts(client):
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/beheer/")
    assert response.status_code == 200
    policy = _policy(response)
    assert "'unsafe-inline'" in policy["script-src"] and "'self'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
