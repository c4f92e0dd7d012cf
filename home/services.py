"""Writes for the content app: locales, city page translations and the editors of a municipality.

Every function is keyword-only, idempotent and runs in a transaction, so the demo seed, a management
command or an operator's admin action can call it again safely.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Locale
from wagtail_localize.models import Translation, TranslationSource

from eloket.models import Municipality
from home.constants import (
    CONTENT_LANGUAGES,
    EDITOR_GLOBAL_PERMISSIONS,
    EDITOR_GROUP_PREFIX,
    EDITOR_PAGE_PERMISSIONS,
    SOURCE_LANGUAGE,
)
from home.models import CityPage

logger = logging.getLogger(__name__)


@transaction.atomic
def content_locales_ensure() -> list[Locale]:
    """The Wagtail locales for every content language, Dutch first.

    Migration ``home.0002_content_locales`` already creates them; callers such as the demo seed use
    this as well, so they still work after someone deleted a locale in the admin.
    """
    return [Locale.objects.get_or_create(language_code=code)[0] for code in CONTENT_LANGUAGES]


@transaction.atomic
def city_page_translations_ensure(*, city_page: CityPage) -> list[CityPage]:
    """Make sure the city page exists in every content locale whose home page is translated.

    A missing translation is created through wagtail-localize as an unpublished draft: a synced
    translation, so the city's editors finish it in the translation editor and publish it themselves.
    Without that page their permissions would have no place in that locale's tree. Locales whose
    home page has no translation yet are skipped (wagtail-localize would otherwise create a live
    alias of the home page in Dutch).

    Side effects: may create TranslationSource, Translation and draft CityPage rows.
    Returns the city page in every locale it now exists in, the source first.
    """
    source_locale = Locale.objects.get(language_code=SOURCE_LANGUAGE)
    source_page = city_page.get_translation_or_none(source_locale)
    if source_page is None:
        # A city created directly in another language: nothing to translate from.
        return list(CityPage.objects.filter(translation_key=city_page.translation_key))
    source_page = source_page.specific
    parent = source_page.get_parent()
    missing = [
        locale
        for locale in Locale.objects.exclude(pk=source_locale.pk)
        if source_page.get_translation_or_none(locale) is None
        and parent.get_translation_or_none(locale) is not None
    ]
    if missing:
        source, _created = TranslationSource.update_or_create_from_instance(source_page)
        for locale in missing:
            translation, _created = Translation.objects.get_or_create(
                source=source, target_locale=locale, defaults={"enabled": True}
            )
            translation.save_target(publish=False)
            logger.info(
                "city_page_translation_drafted page=%s locale=%s", source_page.pk, locale.language_code
            )
    return list(CityPage.objects.filter(translation_key=source_page.translation_key).order_by("pk"))


def editors_group_name(*, municipality: Municipality) -> str:
    return f"{EDITOR_GROUP_PREFIX} {municipality.name_nl}"


@transaction.atomic
def municipality_editors_group_ensure(*, municipality: Municipality) -> Group:
    """The group "Redacteurs <city>": admin access, and add/change/publish on the city's page in every
    locale tree, so its members edit and translate their own city's pages and nothing else.

    Grants wagtail-localize's global "submit translation" permission too; home.wagtail_hooks narrows
    that to pages the user can edit. Creates the city page's missing translations as drafts first
    (``city_page_translations_ensure``). Call it again after a city page or a locale is added: it only
    adds what is missing and never removes permissions.
    """
    group, _created = Group.objects.get_or_create(name=editors_group_name(municipality=municipality))
    for app_label, codename in EDITOR_GLOBAL_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    page_permissions = list(
        Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS)
    )
    for source_page in CityPage.objects.filter(
        municipality=municipality, locale__language_code=SOURCE_LANGUAGE
    ):
        city_page_translations_ensure(city_page=source_page)
    for page in CityPage.objects.filter(municipality=municipality):
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    logger.info("editors_group_ensured group=%s municipality=%s", group.pk, municipality.pk)
    return group
