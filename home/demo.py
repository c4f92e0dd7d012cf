"""Demo pages: the Flanders-wide home page, a city page with information pages for the five pilot
cities, the Genk pages in French and English, and an editors group with a demo editor per city.

``seed_pages`` is idempotent: it creates what is missing and never touches a page, translation, group
or user that already exists, so editors' changes survive a second run.

Locales: migration ``home.0002_content_locales`` creates nl/fr/en/de on every installation; the seed
calls ``content_locales_ensure`` again only so it also works on a database where one was deleted.

Translations go through wagtail-localize (TranslationSource, Translation and a StringTranslation per
segment, then ``save_target``), so editors see them as synced translations in the admin. They are
published at once from a fresh revision (see ``_translation_ensure``), so they are live even when the
seed runs inside a caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.segments.extract import extract_strings
from wagtail_localize.strings import StringValue

from eloket.models import Municipality
from home.constants import SOURCE_LANGUAGE
from home.demo_content import CITIES, HOME, Block, PageContent, T, Text
from home.models import CityPage, HomePage, InfoPage
from home.services import content_locales_ensure, municipality_editors_group_ensure

CITY_SLUGS = ("genk", "vilvoorde", "antwerpen", "hasselt", "mechelen")


class DemoSeedError(RuntimeError):
    pass


def seed_pages(*, stdout: TextIO | None = None) -> None:
    """Create the demo page trees, translations, editor groups and demo editors (see module docstring).

    Expects the municipalities (eloket's seed creates them); raises DemoSeedError when one is missing.
    """
    with transaction.atomic():
        locales = {locale.language_code: locale for locale in content_locales_ensure()}
        municipalities = _municipalities()
        created: list[Page] = []
        home = _home_page_ensure(locale=locales[SOURCE_LANGUAGE], created=created)
        _default_site_ensure(home=home)
        tree: list[tuple[Page, PageContent]] = [(home, HOME)]
        for slug in CITY_SLUGS:
            content = CITIES[slug]
            city = _child_ensure(
                parent=home,
                content=content,
                model=CityPage,
                created=created,
                municipality=municipalities[slug],
            )
            tree.append((city, content))
            tree.extend(
                (_child_ensure(parent=city, content=child, model=InfoPage, created=created), child)
                for child in content.children
            )
        translated = [
            f"{page.slug}:{language}"
            for page, content in tree  # parents come before their children
            for language in content.languages
            if _translation_ensure(page=page, content=content, locale=locales[language])
        ]
        editors = [_editors_ensure(municipality=municipalities[slug]) for slug in CITY_SLUGS]
    if stdout is not None:
        stdout.write(
            f"pages: {len(created)} created, {len(translated)} translations created, "
            f"editor groups: {', '.join(editors)}\n"
        )


def _municipalities() -> dict[str, Municipality]:
    found = {m.slug: m for m in Municipality.objects.filter(slug__in=CITY_SLUGS)}
    missing = sorted(set(CITY_SLUGS) - set(found))
    if missing:
        raise DemoSeedError(
            f"seed the municipalities first (eloket's demo seed); missing: {', '.join(missing)}"
        )
    return found


# --- the Dutch source tree -------------------------------------------------------------------------


def _home_page_ensure(*, locale: Locale, created: list[Page]) -> HomePage:
    home = HomePage.objects.filter(locale=locale, depth=2).first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    return _publish_new(parent=root, page=HomePage(locale=locale, **_fields(HOME, HomePage)), created=created)


def _child_ensure(*, parent: Page, content: PageContent, model: type[Page], created: list[Page], **extra):
    slug = _source(content.slug)
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page
    return _publish_new(parent=parent, page=model(**_fields(content, model), **extra), created=created)


def _publish_new(*, parent: Page, page: Page, created: list[Page]) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    created.append(page)
    return page


def _fields(content: PageContent, model: type[Page]) -> dict:
    fields = {
        "title": _source(content.title),
        "slug": _source(content.slug),
        "body": [
            {"type": block.kind, "value": _raw(block.value), "id": _block_id()} for block in content.body
        ],
    }
    if model is InfoPage:
        fields["summary"] = _source(content.intro[0]) if content.intro else ""
    else:
        fields["intro"] = _html(content.intro)
    return fields


def _source(text: Text, language: str = SOURCE_LANGUAGE) -> str:
    return text.get(language) if isinstance(text, T) else text


def _html(paragraphs, language: str = SOURCE_LANGUAGE) -> str:
    return "".join(f"<p>{_source(paragraph, language)}</p>" for paragraph in paragraphs)


def _block_id() -> str:
    return str(uuid.uuid4())


def _raw(value, language: str = SOURCE_LANGUAGE):
    """A block value from demo_content as the StreamField's JSON: lists of texts become rich text.

    List items get ids here: without them Wagtail would store the old id-less list format and make
    new ids on every load, and wagtail-localize, which addresses list items by id, could not put the
    translated items back (they would stay Dutch)."""
    if isinstance(value, dict):
        return {key: _raw(item, language) for key, item in value.items()}
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return [{"type": "item", "value": _raw(item, language), "id": _block_id()} for item in value]
        return _html(value, language)
    if isinstance(value, Decimal):
        return str(value)
    return _source(value, language)


def _default_site_ensure(*, home: HomePage) -> None:
    """Make the home page the default site's root and remove Wagtail's "Welcome" placeholder."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    placeholder = Page.objects.filter(
        depth=2, slug="home", numchild=0, content_type=ContentType.objects.get_for_model(Page)
    ).exclude(sites_rooted_here__isnull=False)
    for page in placeholder:
        page.delete()


# --- translations ------------------------------------------------------------------------------------


def _translation_ensure(*, page: Page, content: PageContent, locale: Locale) -> bool:
    """Translate ``page`` into ``locale`` with the texts from demo_content, unless it already exists."""
    if page.get_translation_or_none(locale) is not None:
        return False
    strings = dict(_string_pairs(content, locale.language_code, summary=isinstance(page, InfoPage)))
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        data = strings.get(segment.string.data)
        if data is None:
            raise DemoSeedError(f"no {locale.language_code} text in demo_content for {segment.string.data!r}")
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": data, "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL},
        )
    # Published here, not by wagtail-localize: ``save_target(publish=True)`` publishes in on_commit from
    # the in-memory page, which writes back a stale ``numchild`` when the page's children are translated
    # in the same transaction, and treebeard then serves the parent as a leaf (404 for its children).
    translation.save_target(publish=False)
    page.get_translation(locale).get_latest_revision().publish()
    return True


def _string_pairs(content: PageContent, language: str, *, summary: bool) -> Iterator[tuple[str, str]]:
    """(source segment, translated segment) for every text on the page, in wagtail-localize's format:
    plain text is HTML-escaped, rich text is split into one segment per paragraph."""
    yield from _plain(content.title, language)
    yield from _plain(content.slug, language)
    for paragraph in content.intro:
        yield from (_plain if summary else _paragraph)(paragraph, language)
    for block in content.body:
        yield from _value_pairs(block.value, language)


def _value_pairs(value, language: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Block):
        value = value.value
    if isinstance(value, dict):
        for item in value.values():
            yield from _value_pairs(item, language)
    elif isinstance(value, list):
        for item in value:
            yield from (_value_pairs if isinstance(item, dict) else _paragraph)(item, language)
    elif isinstance(value, T | str):
        yield from _plain(value, language)


def _translated(text: Text, language: str) -> str:
    translated = _source(text, language)
    if not translated:
        raise DemoSeedError(f"demo_content has no {language} text for {text.nl!r}")
    return translated


def _plain(text: Text, language: str) -> Iterator[tuple[str, str]]:
    if not _source(text):
        return  # wagtail-localize makes no segment of an empty value
    yield (
        StringValue.from_plaintext(_source(text)).data,
        StringValue.from_plaintext(_translated(text, language)).data,
    )


def _paragraph(text: Text, language: str) -> Iterator[tuple[str, str]]:
    def segment(html: str) -> str:
        _template, strings = extract_strings(f"<p>{html}</p>")
        return strings[0][0].data

    yield segment(_source(text)), segment(_translated(text, language))


# --- editors --------------------------------------------------------------------------------------


def _editors_ensure(*, municipality: Municipality) -> str:
    group = municipality_editors_group_ensure(municipality=municipality)
    if settings.DEMO_MODE:
        _demo_editor_ensure(slug=municipality.slug, group=group)
    return group.name


def _demo_editor_ensure(*, slug: str, group: Group) -> None:
    """A demo login for the city's editors: ``redacteur-<slug>`` / ``demo-redacteur-<slug>``, demo only."""
    user_model = get_user_model()
    username = f"redacteur-{slug}"
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, is_staff=True, first_name="Redacteur", last_name=slug.title())
        user.set_password(f"demo-redacteur-{slug}")
        user.full_clean(exclude=["password"])
        user.save()
    user.groups.add(group)
