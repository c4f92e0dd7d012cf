"""Every URL pattern of the site, walked from the root resolver, with a way to fill its parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern


@dataclass(frozen=True)
class Url:
    route: str  # the pattern as written, joined: "nl/mijn/dossiers/<slug:reference>/"
    name: str  # "namespace:name", or "" when unnamed
    callback: object

    @property
    def view(self) -> str:
        callback = getattr(self.callback, "view_class", None) or self.callback
        return f"{callback.__module__}.{getattr(callback, '__qualname__', type(callback).__name__)}"

    def fill(self, values: dict[str, str] | None = None, default: str = "x1") -> str:
        """The route with each parameter replaced: by ``values[name]`` when given, else a sample."""
        values = values or {}

        def route_param(match: re.Match) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if name in values:
                return str(values[name])
            return {"int": "1", "path": "a/b", "uuid": "00000000-0000-0000-0000-000000000000"}.get(
                converter, default
            )

        # The few regex patterns (Wagtail's, allauth's): named groups first, then route converters,
        # then what is left of the regex syntax.
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), "1")), self.route)
        url = re.sub(r"<(?:(\w+):)?(\w+)>", route_param, url)
        url = re.sub(r"\(\?:[^)]*\)[*?]", "", url)
        url = re.sub(r"\([^)]*\)[*?]", "", url)
        url = re.sub(r"\([^)]*\)", "1", url)
        return "/" + url.replace(".*", "x").replace("^", "").replace("$", "").replace("\\", "")


def _piece(pattern) -> str:
    if isinstance(pattern, LocalePrefixPattern):
        return "nl/"
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    if isinstance(pattern, RegexPattern):
        return pattern._regex
    return str(pattern)


def all_urls(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Url]:
    resolver = resolver or get_resolver()
    found: list[Url] = []
    for entry in resolver.url_patterns:
        piece = _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            found.extend(all_urls(entry, prefix + piece, inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            found.append(Url(route=prefix + piece, name=name, callback=entry.callback))
    return found
