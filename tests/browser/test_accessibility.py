"""axe-core (bundled by axe-playwright-python, injected at run time) on the pages a citizen meets.

Each page is checked at desktop and at phone width, and photographed full page at both widths into the
session's `screenshots` folder for a human look.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.steps import demo_login

pytestmark = pytest.mark.browser

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
WIDTHS = {"desktop": 1280, "phone": 360}

axe = Axe()


def violations_report(results) -> str:
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def check(page, *, name: str, width: int, screenshot_dir) -> None:
    page.screenshot(path=screenshot_dir / f"{name}-{width}.png", full_page=True)
    results = axe.run(page, options=AXE_OPTIONS)
    assert len(results.response["passes"]) >= 10, "axe ran (almost) no rule: is the page empty?"
    assert results.violations_count == 0, f"axe on {page.url}:\n{violations_report(results)}"


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("name", ["home", "city", "overview", "dossier"])
def test_axe_finds_no_wcag_21_aa_violation_on_the_page(an_page, site_paths, screenshot_dir, name, width):
    an_page.set_viewport_size({"width": width, "height": 900})
    response = an_page.goto(site_paths[name])
    assert response is not None and response.ok, f"{site_paths[name]} answered {response and response.status}"
    check(an_page, name=name, width=width, screenshot_dir=screenshot_dir)


def test_axe_finds_no_wcag_21_aa_violation_on_the_demo_login_and_the_acting_as_choice(page, screenshot_dir):
    page.goto("/nl/aanmelden/demo/")
    check(page, name="demo-login", width=1280, screenshot_dir=screenshot_dir)
    demo_login(page, name="Bart Claes")
    page.goto("/nl/mijn/handelen-als/")
    check(page, name="acting-as", width=1280, screenshot_dir=screenshot_dir)
