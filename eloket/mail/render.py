"""Render an e-mail once per shape and language, then fill in each recipient's values.

Rendering three Django templates costs about a millisecond; 100,000 new-dossier mails would spend
minutes in the template engine alone. A mail's text depends on two kinds of input:

- the *shape*: values that choose branches (``{% if is_gas %}``, ``change == "paid"``) plus which
  values are empty. Few combinations exist per template and language.
- the *values*: strings that only appear verbatim (a reference, a name, a link, an amount already
  formatted in the recipient's language).

``MailRenderer.render`` renders a template once per (template, language, shape) with a marker in
place of each value, splits the result on the markers, and for each recipient joins the pieces with
the values (HTML-escaped in the HTML part, as Django's autoescape would). The result is the same text
full rendering gives (tests/eloket/mail/test_render.py compares both) provided that the templates use
values verbatim: no filters on them (format them in Python first) and ``{% autoescape off %}`` in the
plain-text templates.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

_OPEN, _CLOSE = "\ue000", "\ue001"  # Unicode private-use characters: no template or escaping touches them
_MARKER = re.compile(f"{_OPEN}([a-z_0-9]+){_CLOSE}")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Compiled:
    subject: tuple[str, ...]  # literal pieces at even indexes, value names at odd ones
    text: tuple[str, ...]
    html: tuple[str, ...]


def render_mail(template: str, language: str, context: dict) -> RenderedMail:
    """Full rendering (the reference the compiled path must equal): subject, text and HTML."""
    context = {"site_url": settings.SITE_URL.rstrip("/"), "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", context)
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    return RenderedMail(subject=" ".join(subject.split()), text=text, html=html)


class MailRenderer:
    """Keeps compiled shapes for its own lifetime (one dispatch batch, one job run): a changed
    template or catalogue is picked up by the next one."""

    def __init__(self) -> None:
        self._compiled: dict[tuple, _Compiled] = {}

    def render(self, template: str, language: str, *, shape: dict, values: dict[str, str]) -> RenderedMail:
        key = (
            template,
            language,
            tuple(sorted(shape.items())),
            tuple(sorted((name, bool(value)) for name, value in values.items())),
        )
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(template, language, shape, values)
        return RenderedMail(
            subject=" ".join(_join(compiled.subject, values, escaped=False).split()),
            text=_join(compiled.text, values, escaped=False),
            html=_join(compiled.html, values, escaped=True),
        )

    @staticmethod
    def _compile(template: str, language: str, shape: dict, values: dict[str, str]) -> _Compiled:
        markers = {name: f"{_OPEN}{name}{_CLOSE}" if value else "" for name, value in values.items()}
        rendered = render_mail(template, language, {**shape, **markers})
        # The subject's whitespace is normalised after the values are in, as render_mail does.
        return _Compiled(
            subject=tuple(_MARKER.split(rendered.subject)),
            text=tuple(_MARKER.split(rendered.text)),
            html=tuple(_MARKER.split(rendered.html)),
        )


def _join(pieces: tuple[str, ...], values: dict[str, str], *, escaped: bool) -> str:
    if len(pieces) == 1:
        return pieces[0]
    out = list(pieces)
    for index in range(1, len(out), 2):
        value = values[out[index]]
        out[index] = html.escape(value) if escaped else value  # what django.utils.html.escape does
    return "".join(out)
