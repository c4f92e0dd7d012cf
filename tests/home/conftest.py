"""A small page tree: the home page as the default site's root, with Genk and Vilvoorde under it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import Translation, TranslationSource

from eloket.models import Municipality
from home.services import content_locales_ensure
from tests.home.factories import CityPageFactory, HomePageFactory, InfoPageFactory

PILOT_MUNICIPALITIES = {
    # slug: (NIS code, Dutch name, French name, postcodes)
    "genk": ("71016", "Genk", "Genk", ["3600"]),
    "vilvoorde": ("23088", "Vilvoorde", "Vilvorde", ["1800"]),
    "antwerpen": ("11002", "Antwerpen", "Anvers", ["2000", "2018", "2060"]),
    "hasselt": ("71022", "Hasselt", "Hasselt", ["3500"]),
    "mechelen": ("12025", "Mechelen", "Malines", ["2800"]),
}


@pytest.fixture
def municipalities(db) -> dict[str, Municipality]:
    """The five pilot municipalities, as eloket's seed makes them."""
    return {
        slug: Municipality.objects.get_or_create(
            nis_code=nis_code,
            defaults={"slug": slug, "name_nl": name_nl, "name_fr": name_fr, "postal_codes": postal_codes},
        )[0]
        for slug, (nis_code, name_nl, name_fr, postal_codes) in PILOT_MUNICIPALITIES.items()
    }


@pytest.fixture
def locales(db) -> dict[str, Locale]:
    return {locale.language_code: locale for locale in content_locales_ensure()}


@pytest.fixture
def home_page(locales):
    home = HomePageFactory(parent=Page.get_first_root_node(), locale=locales["nl"])
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()  # not .update(): saving clears Wagtail's cached site root paths
    return home


@pytest.fixture
def genk_page(home_page, municipalities):
    return CityPageFactory(parent=home_page, municipality=municipalities["genk"])


@pytest.fixture
def genk_info_page(genk_page):
    return InfoPageFactory(parent=genk_page, title="GAS-boetes", slug="gas-boetes")


@pytest.fixture
def vilvoorde_page(home_page, municipalities):
    return CityPageFactory(parent=home_page, municipality=municipalities["vilvoorde"])


@pytest.fixture
def vilvoorde_info_page(vilvoorde_page):
    return InfoPageFactory(parent=vilvoorde_page, title="Parkeren", slug="parkeren")


@pytest.fixture
def translate(django_capture_on_commit_callbacks):
    """Translate a page with wagtail-localize as an editor would ("Translate this page"), and run its
    on-commit publish at once. One page per call: parents first."""

    def translate(page: Page, locale: Locale) -> Page:
        with django_capture_on_commit_callbacks(execute=True):
            source, _created = TranslationSource.get_or_create_from_instance(page)
            translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
            translation.save_target(publish=True)
        return page.get_translation(locale).specific

    return translate


@pytest.fixture(autouse=True)
def _reset_language():
    """A request to /fr/ or /en/ leaves that language active in the thread after the response: reset it,
    so later tests (here and in other packages) start in Dutch."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
