"""Page factories for the content app. Pages are created live, as Wagtail's own factories do."""

from __future__ import annotations

import factory
import wagtail_factories

from home.models import CityPage, HomePage, InfoPage


def paragraph_block(text: str) -> dict:
    return {"type": "rich_text", "value": f"<p>{text}</p>"}


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "E-loket Vlaanderen"
    slug = factory.Sequence(lambda n: f"e-loket-{n}")
    intro = "<p>Alle dossiers van alle steden samen.</p>"


class CityPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CityPage

    title = factory.LazyAttribute(lambda page: page.municipality.name_nl)
    slug = factory.LazyAttribute(lambda page: page.municipality.slug)
    intro = factory.LazyAttribute(lambda page: f"<p>Informatie van {page.municipality.name_nl}.</p>")
    body = factory.LazyFunction(lambda: [paragraph_block("Welkom bij de stad.")])


class InfoPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = InfoPage

    title = "GAS-boetes"
    summary = "Bedragen en termijnen van GAS 4 en GAS 5."
    body = factory.LazyFunction(lambda: [paragraph_block("U betaalt binnen 30 dagen.")])
