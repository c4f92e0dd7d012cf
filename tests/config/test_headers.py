"""Security headers on a sample of citizen, clerk (admin) and API responses, and the production
cookie and HSTS settings."""

import re

import pytest

from tests.config.test_settings import ROOT, run_django
from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db

CITIZEN = ["/nl/aanmelden/", "/fr/aanmelden/", "/nl/mijn/"]  # the last one redirects to the login
API = ["/api/v1/dossiers/", "/api/v1/schema/"]
ADMIN = ["/beheer/", "/beheer/login/"]
HSTS = {"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True}


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def _assert_common_headers(response) -> None:
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions.split(", ")
    assert len(headers["X-Request-ID"]) == 32


@pytest.fixture
def hsts(settings):
    for name, value in HSTS.items():
        setattr(settings, name, value)


@pytest.mark.parametrize("url", CITIZEN + API)
def test_citizen_and_api_responses_carry_every_header_and_no_inline_script(client, hsts, url):
    response = client.get(url, secure=True)
    assert response.status_code in (200, 302, 401), response.status_code
    _assert_common_headers(response)
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = _policy(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"


@pytest.mark.parametrize("url", ADMIN)
def test_clerk_admin_responses_carry_every_header(client, hsts, url):
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.get(url, secure=True)
    assert response.status_code in (200, 302), response.status_code
    _assert_common_headers(response)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_production_cookies_are_secure_host_only_and_same_site_and_hsts_is_on():
    result = run_django(
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, "
        "s.SESSION_COOKIE_NAME, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.LOGGING['handlers']['console']['formatter'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "Lax",
        "Lax",
        "__Host-eloket_session",
        "31536000",
        "True",
        "True",
        "json",
    ]


def test_the_log_format_is_plain_unless_the_environment_asks_for_json():
    result = run_django(
        "from django.conf import settings as s; print(s.LOGGING['handlers']['console']['formatter'])",
        ELOKET_LOG_FORMAT="plain",
    )
    assert result.stdout.strip() == "plain", result.stderr


def test_probes_are_not_redirected_to_https_nor_refused_for_their_host(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["eloket.example.be"]
    assert client.get("/nl/aanmelden/", HTTP_HOST="eloket.example.be").status_code == 301
    assert client.get("/health/", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/metrics/", HTTP_HOST="10.1.2.3:8000").status_code == 200


TEMPLATE_ROOTS = ["config/templates", "eloket/templates", "forms/templates", "home/templates"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
# The admin's own inline scripts carry the response's nonce (eloket.admin_csp); only admin templates may.
NONCED_SCRIPT = "<script{% admin_script_nonce %}>"
ADMIN_TEMPLATES = ("eloket/templates/wagtailadmin/", "eloket/templates/wagtail_localize/")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_of_ours_has_an_inline_script_or_event_handler():
    """The policy forbids them on citizen pages: one would silently do nothing in the browser. The
    admin's templates may have an inline script only with the response's nonce."""
    offenders = []
    for root in TEMPLATE_ROOTS:
        for template in (ROOT / root).rglob("*.html"):
            name = str(template.relative_to(ROOT))
            text = template.read_text()
            if name.startswith(ADMIN_TEMPLATES):
                text = text.replace(NONCED_SCRIPT, "")
            if INLINE_SCRIPT.search(text) or EVENT_HANDLER.search(text) or "javascript:" in text:
                offenders.append(name)
    assert offenders == []
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and EVENT_HANDLER.search('<a onclick="x()">')
