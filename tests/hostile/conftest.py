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
