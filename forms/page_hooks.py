"""Wagtail hooks of the editor's side. ``forms.wagtail_hooks`` holds the clerk's admin screens; these
are registered from ``FormsConfig.ready``."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import ngettext
from wagtail import hooks


def refuse_deleting_pages_with_submissions(request, page):
    """Submissions are kept when a form goes (``Submission.page`` is PROTECT): deleting a form page, or a
    city page above one, that citizens have sent something through is refused with a message;
    unpublishing it is the way to take it offline."""
    from forms.models import Submission

    pages = page.get_descendants(inclusive=True)
    count = Submission.objects.filter(page__in=pages).count()
    if not count:
        return None
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
    return redirect("wagtailadmin_pages:edit", page.pk)


def register() -> None:
    hooks.register("before_delete_page", refuse_deleting_pages_with_submissions)
