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
