"""Admin hooks for the content app.

wagtail-localize's "translate this page" and "sync translated pages" views check only the global
``submit_translation`` permission, not whether the user may edit the page: a Genk editor could push
Vilvoorde's pages into the French tree (and, with the default live-status sync, publish them). City
editors need that permission for their own pages, so the two URLs are registered here first, under
the same paths, with a page-permission check in front of the wagtail-localize view. ``home`` comes
before ``wagtail_localize`` in INSTALLED_APPS, so these patterns match first; the URL names stay
wagtail-localize's, so its buttons and redirects are unchanged.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from wagtail import hooks
from wagtail.models import Page
from wagtail_localize.models import TranslationSource
from wagtail_localize.views.submit_translations import SubmitPageTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView


def _require_page_edit(user, page: Page) -> None:
    if not page.permissions_for_user(user).can_edit():
        raise PermissionDenied


def submit_page_translation(request, page_id: int):
    page = get_object_or_404(Page, id=page_id)
    _require_page_edit(request.user, page.alias_of or page)
    return SubmitPageTranslationView.as_view()(request, page_id=page_id)


def update_translations(request, translation_source_id: int):
    source = get_object_or_404(TranslationSource, id=translation_source_id)
    instance = source.get_source_instance()
    if isinstance(instance, Page):
        _require_page_edit(request.user, instance)
    return UpdateTranslationsView.as_view()(request, translation_source_id=translation_source_id)


@hooks.register("register_admin_urls")
def register_translation_guards():
    return [
        path(
            "localize/submit/page/<int:page_id>/",
            submit_page_translation,
            name="home_submit_page_translation",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            update_translations,
            name="home_update_translations",
        ),
    ]
