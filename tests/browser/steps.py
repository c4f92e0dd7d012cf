"""What a citizen does in the browser, and what the tests read back from the page."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page, expect

from eloket.demo.staff_totp import totp_code

OVERVIEW_URL = re.compile(r"/nl/mijn/(\?.*)?$")
FRENCH_MONTH = re.compile(
    r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
)


def demo_login(page: Page, *, name: str) -> None:
    page.goto("/nl/aanmelden/demo/")
    page.get_by_role("button", name=f"Aanmelden als {name}").click()
    expect(page).to_have_url(OVERVIEW_URL)
    expect(page.get_by_test_id("acting-party")).to_have_text(name)


def language_link(page: Page, code: str) -> Locator:
    """The switcher's link for a language; its name is the code followed by the language's own name."""
    return page.locator("header").get_by_role("link", name=re.compile(rf"^{code.upper()} "))


def dossier_rows(page: Page) -> Locator:
    return page.locator(".dossier-table tbody tr")


def column_texts(page: Page, label: str) -> list[str]:
    """The cells of one overview column, found by the label each cell carries for narrow screens."""
    cells = page.locator(f'.dossier-table td[data-label="{label}"]')
    return [text.strip() for text in cells.all_inner_texts()]


# The focused element and whether a sighted keyboard user can see where focus is: an outline or a
# box-shadow drawn by the stylesheet, on an element that is on screen.
_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    description: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} `
      + `"${(el.innerText || el.value || '').trim().slice(0, 50)}"`,
    tag: el.tagName.toLowerCase(),
    id: el.id,
    href: el.getAttribute('href'),
    inTable: el.closest('table') !== null,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(_FOCUS_JS)


def focus_problem(info: dict | None) -> str | None:
    """Why focus is not visible, or None when it is."""
    if info is None:
        return "focus is on the document body"
    if not info["onScreen"]:
        return f"{info['description']} has focus but is off screen"
    has_outline = info["outlineStyle"] != "none" and info["outlineWidth"] >= 2
    has_shadow = info["boxShadow"] not in ("", "none")
    if not (has_outline or has_shadow):
        return f"{info['description']} has focus without an outline or box-shadow"
    return None


def tab(page: Page) -> dict:
    """Press Tab once and return the newly focused element, failing when its focus is not visible."""
    page.keyboard.press("Tab")
    info = focused(page)
    problem = focus_problem(info)
    assert problem is None, problem
    return info


def tab_until(page: Page, matches, *, limit: int = 60) -> dict:
    """Tab (checking visible focus at every stop) until the focused element matches."""
    for _ in range(limit):
        info = tab(page)
        if matches(info):
            return info
    raise AssertionError(f"no matching element within {limit} presses of Tab")


# Interactive elements that stick out of the viewport sideways: the citizen cannot reach or read them.
_OUT_OF_VIEW_JS = """(width) => Array.from(
    document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary'))
  .filter((el) => !el.closest('.visually-hidden, .skip-link'))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width > 1 && box.height > 1 && (box.left < -0.5 || box.right > width + 0.5))
  .map(([el, box]) => `${el.tagName.toLowerCase()} "${(el.innerText || el.value || '').trim().slice(0, 40)}"`
    + ` at ${Math.round(box.left)}..${Math.round(box.right)}`)"""


def controls_outside(page: Page, *, width: int) -> list[str]:
    return page.evaluate(_OUT_OF_VIEW_JS, width)


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def admin_login(page: Page, *, username: str, password: str) -> None:
    """Log in to Wagtail's admin with password and TOTP (demo logins: beheerder, redacteur-<city>,
    behandelaar-<city>; their TOTP secret is the demo's, README)."""
    page.goto("/beheer/login/")  # on to allauth's login, back to the admin after
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    for _attempt in range(2):
        page.locator("input[name=code]").fill(totp_code())
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        if "/account/2fa/" not in page.url:
            break
        # A code is accepted once: the same login twice within its window waits for the next code.
        page.wait_for_timeout(
            1000 * (31 - int(time.time()) % 30)
        )  # waiting for the next code, not an assertion
    expect(page).to_have_url(re.compile(r"/beheer/"))


def reload_until(page: Page, done, *, attempts: int = 30) -> None:
    """Reload until ``done()`` holds: for what the site's background worker does after a request
    (bookings, refunds). The caller asserts afterwards, so a timeout fails with a clear message."""
    for _attempt in range(attempts):
        if done():
            return
        page.wait_for_timeout(500)  # polling interval while the worker runs, not an assertion
        page.reload()
