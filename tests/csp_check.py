"""Reading a response's Content-Security-Policy, and finding the inline scripts it would block."""

from __future__ import annotations

import re

_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def policy_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def nonce_of(policy: dict[str, str]) -> str:
    found = _NONCE.search(policy["script-src"])
    assert found, policy["script-src"]
    return found.group(1)


def inline_scripts(html: str) -> list[str]:
    """The attributes of each script that runs from the page itself (not a file, not JSON data)."""
    return [
        attributes
        for attributes in _SCRIPT.findall(html)
        if "src=" not in attributes
        and "application/json" not in attributes
        and "text/template" not in attributes
    ]


def blocked_inline_scripts(response) -> list[str]:
    """The inline scripts of an HTML response its policy does not let run (no nonce, or another one)."""
    if "html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
        return []
    found = _NONCE.search(policy_of(response).get("script-src", ""))
    allowed = f'nonce="{found.group(1)}"' if found else None
    return [
        attributes
        for attributes in inline_scripts(response.content.decode(errors="replace"))
        if allowed is None or allowed not in attributes
    ]
