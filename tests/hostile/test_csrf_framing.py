"""CSRF and clickjacking. Every URL of the site (walked from the resolver) refuses a POST without a
CSRF token from a logged-in browser, except the few views that authenticate another way (listed in
``CSRF_EXEMPT`` with the reason); the API does not take a session cookie as a login; pages forbid
being framed (X-Frame-Options DENY and CSP frame-ancestors 'none')."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, person_party, staff_login
from tests.hostile.urlmap import all_urls

pytestmark = pytest.mark.django_db

# Views that take a POST without a CSRF token, and why that is safe.
CSRF_EXEMPT = {
    "stripe_webhook": "Stripe's signature on the body (eloket/payments/webhooks.py)",
    "api:": "the API authenticates with a bearer key only; a session cookie is no login there",
    "wagtailadmin_api:": "Wagtail's read-only admin API (GET only); DRF's session authentication "
    "enforces CSRF on a POST from a logged-in admin, and anyone else is sent to the login",
    "wagtail_localize:edit_string_translation": "DRF view: session authentication enforces CSRF",
    "wagtail_localize:edit_override": "DRF view: session authentication enforces CSRF",
    "wagtail_localize:snippets_api_listing": "DRF view (GET only): session authentication enforces CSRF",
    "wagtail_localize:snippets_api_detail": "DRF view (GET only): session authentication enforces CSRF",
}


def exempt(url) -> bool:
    return any(url.name == name or (name.endswith(":") and url.name.startswith(name)) for name in CSRF_EXEMPT)


@pytest.fixture
def browsers(db):
    """A citizen's and an operator's browser that enforce CSRF as a real one would."""
    citizen = UserFactory()
    person_party(user=citizen)
    citizen_browser = Client(enforce_csrf_checks=True)
    citizen_browser.force_login(citizen)
    operator_browser = Client(enforce_csrf_checks=True)
    staff_login(operator_browser, UserFactory(is_staff=True, is_superuser=True))
    return {"citizen": citizen_browser, "operator": operator_browser}


def test_every_url_refuses_a_post_without_csrf_token(browsers, tally):
    refused, exempted = 0, []
    for url in all_urls():
        if url.route.startswith("^media"):
            continue  # DEBUG's static file server (GET only), not in production
        path = "/nl/x1/" if url.name == "wagtail_serve" else url.fill()
        for role, browser in browsers.items():
            tally.attempt("csrf: post without token")
            status = browser.post(path, {"x": "1"}).status_code
            if exempt(url):
                exempted.append(path)
                # Refused all the same: no signature, no key, or no admin (a DRF view refuses the
                # logged-in admin's POST without token itself).
                assert status in (302, 400, 401, 403, 405), (path, role, status)
                assert role != "operator" or status != 200, path
                continue
            if status != 403:
                tally.finding("csrf: post without token", f"{role} {path} ({url.name}): {status}")
            else:
                refused += 1
    assert not tally.findings.get("csrf: post without token"), tally.findings["csrf: post without token"]
    assert refused > 700  # both roles, every URL: the walk really covered the site


def test_the_api_takes_no_session_cookie_as_a_login(browsers, tally):
    for name, path in [
        ("list", "/api/v1/dossiers/"),
        ("submissions", "/api/v1/submissions/"),
        ("rights", "/api/v1/rights-check/?plate=1ABC123&municipality=71016"),
    ]:
        for role, browser in browsers.items():
            tally.attempt("csrf: api with session cookie")
            status = browser.get(path).status_code
            if status not in (401, 403):
                tally.finding("csrf: api with session cookie", f"{role} {name}: {status}")
            assert status in (401, 403), (role, name, status)
    response = browsers["operator"].post(
        "/api/v1/dossiers/bulk/", b"{}\n", content_type="application/x-ndjson"
    )
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "path",
    ["/nl/aanmelden/", "/nl/mijn/", "/nl/dossier-openen/", "/beheer/login/", "/beheer/", "/nl/"],
)
def test_pages_refuse_to_be_framed(client, browsers, tally, path):
    tally.attempt("clickjacking: pages")
    browser = browsers["operator"] if path.startswith("/beheer/") and path != "/beheer/login/" else client
    if path == "/nl/mijn/":
        browser = browsers["citizen"]
    response = browser.get(path, follow=path == "/nl/")
    frame_options = response.headers.get("X-Frame-Options", "")
    policy = response.headers.get("Content-Security-Policy", "")
    # The admin frames its own previews: same origin only there, no framing at all elsewhere.
    ancestors = "frame-ancestors 'self'" if path.startswith("/beheer/") else "frame-ancestors 'none'"
    ok = frame_options == "DENY" and ancestors in policy
    if not ok:
        tally.finding(
            "clickjacking: pages", f"{path}: X-Frame-Options={frame_options!r}, CSP={policy[:80]!r}"
        )
    assert frame_options == "DENY", path
    assert ancestors in policy, path


def test_the_session_and_csrf_cookies_are_httponly_and_samesite(client, settings):
    citizen = UserFactory()
    person_party(user=citizen)
    client.force_login(citizen)
    response = client.get(reverse("eloket:guest_access"))
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"
    csrf = response.cookies.get("csrftoken")
    assert csrf is None or csrf["samesite"] == "Lax"
