"""Wagtail hooks of the editor's side. ``forms.wagtail_hooks`` holds the clerk's admin screens; these
are registered from ``FormsConfig.ready``."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import ngettext
from wagtail import hooks


def _submission_count(page) -> int:
    from forms.models import Submission

    return Submission.objects.filter(page__in=page.get_descendants(inclusive=True)).count()


def refuse_deleting_pages_with_submissions(request, page):
    """Submissions are kept when a form goes (``Submission.page`` is PROTECT): deleting a form page, or a
    city page above one, that citizens have sent something through is refused with a message;
    unpublishing it is the way to take it offline."""
    count = _submission_count(page)
    if not count:
        return None
    _refusal_message(request, page, count)
    return redirect("wagtailadmin_pages:edit", page.pk)


def refuse_bulk_deleting_pages_with_submissions(request, action_type, objects, action_class_instance):
    """The same for the page listing's bulk delete."""
    if action_type != "delete":
        return None
    from wagtail.models import Page

    for page in objects:
        if isinstance(page, Page) and (count := _submission_count(page)):
            _refusal_message(request, page, count)
            return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


def _refusal_message(request, page, count: int) -> None:
    messages.error(
        request,
        ngettext(
            "'%(title)s' kan niet verwijderd worden: er kwam al %(count)d inzending binnen via dit "
            "formulier of een formulier eronder. Zet de pagina offline (publicatie ongedaan maken).",
            "'%(title)s' kan niet verwijderd worden: er kwamen al %(count)d inzendingen binnen via "
            "dit formulier of een formulier eronder. Zet de pagina offline (publicatie ongedaan maken).",
            count,
        )
        % {"title": page.get_admin_display_title(), "count": count},
    )


def register() -> None:
    hooks.register("before_delete_page", refuse_deleting_pages_with_submissions)
    hooks.register("before_bulk_action", refuse_bulk_deleting_pages_with_submissions)
