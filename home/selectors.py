"""Reads for the public pages. Everything here is public content: only live pages without view
restrictions are returned."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from wagtail.models import Locale, Page

from home.constants import SOURCE_LANGUAGE
from home.models import CityPage, InfoPage


@dataclass(frozen=True)
class CityListing:
    """A city on the home page. ``language`` differs from the page language when the city has no
    translation yet and its Dutch page is shown instead (the template marks it with ``lang``)."""

    page: CityPage
    title: str
    url: str
    language: str
    is_fallback: bool


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().strip()


def _matches(page: CityPage, needle: str) -> bool:
    municipality = page.municipality
    names = [
        page.title,
        municipality.name_nl,
        municipality.name_fr,
        municipality.name_en,
        municipality.name_de,
    ]
    if any(needle in _normalise(name) for name in names if name):
        return True
    return any(str(code).startswith(needle) for code in municipality.postal_codes or [])


def city_listings(*, locale: Locale, query: str = "") -> list[CityListing]:
    """The live city pages of ``locale``, plus the Dutch page of every city not translated into it,
    filtered by name (any language, accents and case ignored) or postcode prefix.

    Filtering happens in Python: there is one city page per municipality (about 285 in Flanders),
    so the list is bounded, and this matches accents the same way on SQLite and PostgreSQL.
    """
    translated = list(
        CityPage.objects.live().public().filter(locale=locale).select_related("municipality", "locale")
    )
    fallback: list[CityPage] = []
    if locale.language_code != SOURCE_LANGUAGE:
        fallback = list(
            CityPage.objects.live()
            .public()
            .filter(locale__language_code=SOURCE_LANGUAGE)
            .exclude(translation_key__in=[page.translation_key for page in translated])
            .select_related("municipality", "locale")
        )
    needle = _normalise(query)
    listings = [
        CityListing(
            page=page,
            title=page.title,
            url=page.get_url(),
            language=page.locale.language_code if is_fallback else locale.language_code,
            is_fallback=is_fallback,
        )
        for pages, is_fallback in ((translated, False), (fallback, True))
        for page in pages
        if not needle or _matches(page, needle)
    ]
    return sorted(listings, key=lambda listing: _normalise(listing.title))


def info_pages_for_city(*, city_page: CityPage) -> list[InfoPage]:
    return list(InfoPage.objects.child_of(city_page).live().public().order_by("path"))


def breadcrumb_pages(*, page: Page) -> list[Page]:
    """The live ancestors from the home page down, without Wagtail's invisible root."""
    return list(page.get_ancestors().filter(depth__gt=1).live().specific())
