import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. Without it they are skipped with a notice, except in CI,
    where a missing browser is an error (so a green CI always ran them)."""
    if chromium_available():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but no Chromium at {CHROMIUM}: the browser tests must run in CI")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not chromium_available():
        terminalreporter.write_sep(
            "!", f"NOTICE: browser tests were SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)"
        )


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Each test starts with an empty cache and in Dutch. The cache: the test database reuses primary
    keys after a rollback, so a cached inbox of one test's clerk could otherwise answer another test's
    clerk with the same id.
    (Browser tests run the site in its own process and are left alone.)"""
    if "browser" in request.keywords:
        yield
        return
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    yield
    # A request to /fr/… leaves French active in this thread (LocaleMiddleware activates the URL's
    # language and nothing deactivates it): the next test starts in the source language again.
    translation.activate(settings.LANGUAGE_CODE)
