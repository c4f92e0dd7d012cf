"""Fixtures of the hostile-input tests and the report of counts at the end of the session."""

from __future__ import annotations

import pytest

from tests.hostile.report import TALLY


@pytest.fixture
def tally():
    return TALLY


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not TALLY.tried:
        return
    terminalreporter.write_sep("=", "hostile input: tried / found")
    for line in TALLY.lines():
        terminalreporter.write_line(line)


# The forms tests' page tree (Genk and Vilvoorde), Genk's organisation, a citizen with a retribution.
from tests.forms import conftest as forms_fixtures  # noqa: E402

municipalities = forms_fixtures.municipalities
locales = forms_fixtures.locales
home_page = forms_fixtures.home_page
genk_page = forms_fixtures.genk_page
_reset_language = forms_fixtures._reset_language
genk_city = forms_fixtures.genk_city
citizen = forms_fixtures.citizen
retribution = forms_fixtures.retribution
