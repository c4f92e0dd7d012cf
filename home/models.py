"""The public page tree: one Flanders-wide home page per language, one city page per municipality under
it, and the city's information pages under that.

Every locale has its own tree (Dutch is the source, wagtail-localize makes the others), so a city's
editors get permissions on that city's page in each tree (home.services).

Reads live in home.selectors, which imports these models: ``get_context`` imports it when called.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from home.fields import ContentStreamField
from home.forms import CitySearchForm

INTRO_FEATURES = ["bold", "italic", "link"]


class HomePage(Page):
    """The Flanders-wide entry: what the e-loket is, find your city, log in to "Mijn dossiers"."""

    intro = RichTextField(_("inleiding"), features=INTRO_FEATURES, blank=True)
    body = ContentStreamField(blank=True, verbose_name=_("inhoud"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.CityPage"]

    class Meta:
        verbose_name = _("startpagina")
        verbose_name_plural = _("startpagina's")

    def get_context(self, request, *args, **kwargs):
        from home.selectors import city_listings

        context = super().get_context(request, *args, **kwargs)
        form = CitySearchForm(request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        context["city_search_form"] = form
        context["city_query"] = query
        context["city_listings"] = city_listings(locale=self.locale, query=query)
        context["eloket_cta"] = _eloket_call_to_action(request)
        return context


def _eloket_call_to_action(request) -> dict[str, str]:
    overview_url = reverse("eloket:overview")
    if request.user.is_authenticated:
        return {"url": overview_url, "label": _("Naar mijn dossiers")}
    login_url = f"{reverse('eloket:login')}?{urlencode({'next': overview_url})}"
    return {"url": login_url, "label": _("Aanmelden bij Mijn dossiers")}


class CityPage(Page):
    """A municipality's own corner: introduction, content blocks and its information pages."""

    municipality = models.ForeignKey(
        "eloket.Municipality",
        on_delete=models.PROTECT,
        related_name="city_pages",
        verbose_name=_("gemeente"),
    )
    intro = RichTextField(_("inleiding"), features=INTRO_FEATURES, blank=True)
    body = ContentStreamField(blank=True, verbose_name=_("inhoud"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("municipality"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.InfoPage", "eloket_forms.FormPage"]

    class Meta:
        verbose_name = _("stadspagina")
        verbose_name_plural = _("stadspagina's")

    def clean(self) -> None:
        super().clean()
        if not self.municipality_id:
            return
        duplicate = (
            CityPage.objects.filter(municipality_id=self.municipality_id, locale_id=self.locale_id)
            .exclude(pk=self.pk)
            .exists()
        )
        if duplicate:
            raise ValidationError(
                {"municipality": _("Deze gemeente heeft al een stadspagina in deze taal.")},
                code="city_page_exists",
            )

    def get_context(self, request, *args, **kwargs):
        from forms.selectors import form_pages_for_city
        from home.selectors import breadcrumb_pages, info_pages_for_city

        context = super().get_context(request, *args, **kwargs)
        context["info_pages"] = info_pages_for_city(city_page=self)
        context["form_pages"] = form_pages_for_city(city_page=self)
        context["breadcrumbs"] = breadcrumb_pages(page=self)
        return context


class InfoPage(Page):
    """One topic of a city: parking, GAS fines, permits …"""

    summary = models.TextField(
        _("samenvatting"),
        blank=True,
        max_length=300,
        help_text=_("Eén of twee zinnen; verschijnt in de lijst op de stadspagina."),
    )
    body = ContentStreamField(blank=True, verbose_name=_("inhoud"))

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["home.CityPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("informatiepagina")
        verbose_name_plural = _("informatiepagina's")

    def get_context(self, request, *args, **kwargs):
        from home.selectors import breadcrumb_pages

        context = super().get_context(request, *args, **kwargs)
        context["breadcrumbs"] = breadcrumb_pages(page=self)
        return context
