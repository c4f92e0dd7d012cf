"""Fixtures for the browser tests: the seeded site in a subprocess, headless Chromium, logged-in pages.

None of them touches pytest-django's `db`: the site has its own database (see live_site.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser import steps
from tests.browser.live_site import (
    BrowserDatabase,
    LiveSite,
    free_port,
    manage,
    payment_environment,
    server_environment,
    start_server,
    start_standin,
)
from tests.conftest import CHROMIUM
from tests.mail_sink import MailSink
from tests.oidc_provider import CLIENT_SECRET, OidcProvider, web_client
from tests.oidc_provider import available as oidc_provider_available

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}

expect.set_options(timeout=10_000)


# Where to look after a run: the screenshots, and the server's log when a page misbehaved.
REPORT_PATHS = pytest.StashKey[dict[str, Path]]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for label, path in config.stash.get(REPORT_PATHS, {}).items():
        terminalreporter.write_line(f"browser tests: {label} in {path}")


def _report_path(config, label: str, path: Path) -> None:
    config.stash.setdefault(REPORT_PATHS, {})[label] = path


@pytest.fixture(scope="session")
def mail_sink() -> MailSink:
    """The SMTP server the live site's worker sends its mail to."""
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> OidcProvider | None:
    """The test OpenID provider the live site logs citizens in with (None when Node.js is missing
    outside CI: the government login tests then skip)."""
    reason = oidc_provider_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        yield None
        return
    provider = OidcProvider(port=free_port(), workdir=tmp_path_factory.mktemp("browser-oidc"))
    yield provider
    provider.stop()


def _oidc_environment(provider: OidcProvider | None, *, site_port: int) -> dict[str, str]:
    if provider is None:
        return {}
    site = f"http://127.0.0.1:{site_port}"
    provider.start(
        clients=[
            web_client(
                client_id="eloket-browser",
                redirect_uri=f"{site}/account/oidc/acmidm/login/callback/",
                post_logout_redirect_uri=f"{site}/nl/afgemeld/",
            )
        ]
    )
    return {
        "ELOKET_OIDC_SERVER_URL": provider.issuer,
        "ELOKET_OIDC_CLIENT_ID": "eloket-browser",
        "ELOKET_OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }


@pytest.fixture(scope="session")
def live_site(tmp_path_factory, pytestconfig, mail_sink, oidc_provider) -> LiveSite:
    workdir = tmp_path_factory.mktemp("browser-site")
    _report_path(pytestconfig, "server log and database", workdir)
    database = BrowserDatabase.for_environment(workdir=workdir)
    database.create()
    env = server_environment(database=database, workdir=workdir, smtp_port=mail_sink.port)
    site_port, standin_port = free_port(), free_port()
    env.update(payment_environment(site_port=site_port, standin_port=standin_port))
    env.update(_oidc_environment(oidc_provider, site_port=site_port))
    standin = None
    try:
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", env=env)
        standin = start_standin(port=standin_port, site_port=site_port, env=env, workdir=workdir)
        site = start_server(env=env, workdir=workdir, port=site_port)
        try:
            yield site
        finally:
            site.stop()
    finally:
        if standin is not None:
            standin.terminate()
            standin.wait(timeout=10)
        database.drop()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory, pytestconfig) -> Path:
    path = tmp_path_factory.mktemp("screenshots")
    _report_path(pytestconfig, "screenshots", path)
    return path


# Package scope, not session: Playwright's sync API keeps an event loop running while it is open, and
# Django refuses ORM calls from a thread with a running loop, so it must be closed before the
# database tests in the rest of the suite run.
@pytest.fixture(scope="package")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def an_storage_state(browser, live_site) -> dict:
    """Cookies of a demo login as An Peeters, made once and reused by the tests that start logged in."""
    context = browser.new_context(base_url=live_site.url, locale="nl-BE")
    page = context.new_page()
    steps.demo_login(page, name="An Peeters")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="package")
def an_dossier_path(browser, live_site, an_storage_state) -> str:
    """An's GAS 4 fine in Genk that is still to be paid: the richest dossier page (evidence, amounts)."""
    context = browser.new_context(base_url=live_site.url, storage_state=an_storage_state)
    page = context.new_page()
    page.goto("/nl/mijn/?kind=gas4&status=notified")
    links = page.locator(".dossier-table tbody a")
    expect(links).to_have_count(1)
    path = links.first.get_attribute("href")
    context.close()
    return path


def _new_context(browser: Browser, live_site: LiveSite, **options) -> BrowserContext:
    return browser.new_context(base_url=live_site.url, viewport=DESKTOP, locale="nl-BE", **options)


@pytest.fixture
def context(browser, live_site) -> BrowserContext:
    context = _new_context(browser, live_site)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture
def an_page(browser, live_site, an_storage_state) -> Page:
    """A page already logged in (demo) as An Peeters, who has dossiers of every kind in six places."""
    context = _new_context(browser, live_site, storage_state=an_storage_state)
    yield context.new_page()
    context.close()


@pytest.fixture
def site_paths(an_dossier_path) -> dict[str, str]:
    """The four pages the issue names, by the ids used in parametrised tests."""
    return {
        "home": "/nl/",
        "city": "/nl/genk/",
        "overview": "/nl/mijn/",
        "dossier": an_dossier_path,
    }
