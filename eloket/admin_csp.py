"""Wagtail's admin under a Content-Security-Policy without ``'unsafe-inline'`` for scripts.

A few of the admin's widgets and panels still start themselves with a small inline ``<script>``:
the inline panels (``InlinePanel``, ``MultipleChooserPanel``: an editor's "add field"), the date and
time pickers, every chooser (pages, documents, images, snippets) and two of wagtail-localize's pages.
Instead of allowing every inline script, the admin's policy allows those that carry the response's
nonce (django-csp's ``request.csp_nonce``, fresh per response); a script an attacker manages to get
into an admin page has no nonce and does not run.

- ``AdminContentSecurityPolicyMiddleware`` (``eloket.middleware``) puts the nonce in the admin's
  ``script-src`` and makes it the current one while the admin renders (``admin_nonce``);
- the templates of those panels and widgets are overridden in ``eloket/templates`` to write
  ``nonce="…"`` on their script (``{% admin_script_nonce %}``, ``eloket_admin``);
- the choosers write their script in Python (``BaseChooser.render``), so ``chooser_render_with_nonce``
  wraps that method (installed by ``EloketConfig.ready``).

jQuery, with which the admin inserts an inline panel's new child, copies a script's nonce to the copy
it runs, so a child added in the browser starts too. ``tests/browser/test_admin_csp.py`` opens the
admin's pages with those widgets in Chromium and fails on any CSP violation.
"""

from __future__ import annotations

import contextvars
import functools
import re
from contextlib import contextmanager

from django.utils.html import format_html
from django.utils.safestring import mark_safe

_nonce: contextvars.ContextVar[str] = contextvars.ContextVar("eloket_admin_csp_nonce", default="")


@contextmanager
def admin_nonce(nonce: str):
    """While the admin renders a response: scripts written now carry ``nonce``."""
    token = _nonce.set(nonce)
    try:
        yield
    finally:
        _nonce.reset(token)


def nonce_attribute() -> str:
    """`` nonce="…"`` for a script of the admin response being rendered ("" outside the admin)."""
    nonce = _nonce.get()
    return format_html(' nonce="{}"', nonce) if nonce else ""


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\snonce=)(?=[\s>])")


def nonce_scripts(html: str) -> str:
    """Every ``<script`` opening tag of ``html`` (a block of the admin's own templates) with the nonce."""
    attribute = nonce_attribute()
    if not attribute:
        return html
    return mark_safe(_SCRIPT_TAG.sub(f"<script{attribute}", str(html)))  # noqa: S308 (see the tag)


# The script BaseChooser.render appends to the widget: ``…<script>new PageChooser(…);</script>``.
_CHOOSER_SCRIPT = re.compile(r"<script>(?=[^<]*</script>\Z)")


def chooser_render_with_nonce(render):
    """Wagtail's ``BaseChooser.render``, its closing script given the current nonce: only when that is
    the widget's one and only script, so that a value that broke out of it (``</script><script>…``)
    leaves the whole widget without a nonce (it does not start) rather than giving its own script one.
    """

    @functools.wraps(render)
    def wrapper(self, *args, **kwargs):
        rendered = render(self, *args, **kwargs)
        attribute = nonce_attribute()
        if not attribute or str(rendered).count("<script") != 1:
            return rendered
        return mark_safe(_CHOOSER_SCRIPT.sub(f"<script{attribute}>", str(rendered), count=1))  # noqa: S308

    wrapper.eloket_nonce = True
    return wrapper


def install() -> None:
    from wagtail.admin.widgets.chooser import BaseChooser

    if not getattr(BaseChooser.render, "eloket_nonce", False):
        BaseChooser.render = chooser_render_with_nonce(BaseChooser.render)
