"""Wagtail's admin chrome (sidebar, keyboard-shortcuts dialog) made once instead of on every admin page.

Wagtail builds the sidebar on every admin request: it asks every menu item and search area whether the
user may see it (the page, collection, settings and report permissions: about a dozen permission
checks, several of them queries), packs the result with telepath and writes it as JSON. That took
4–5 ms of a clerk's 13 ms inbox request, more than the inbox itself (docs/performance.md). The
keyboard-shortcuts dialog, the same table on every page, took another 1.3 ms.

The template ``eloket/templates/wagtailadmin/base.html`` is Wagtail's own with its two tags replaced
by the ones in ``eloket.templatetags.eloket_admin``, which call Wagtail's tags on a miss:

- the sidebar's JSON is cached per user for ``SIDEBAR_TTL_S``, under a key that holds whatever it
  shows that the request already knows cheaply: the language, the user's model permissions (loaded
  for the page's own permission check anyway), superuser and active flags, name, e-mail and avatar,
  dismissed items, and what the ``eloket_admin_sidebar_key`` hooks add (the inbox's change
  generation, for its badge). What the key cannot see (page and collection permissions given to a
  group, a form page added or removed) shows within ``SIDEBAR_TTL_S``; the menu only links, every
  screen checks its permissions itself. A ``construct_main_menu`` hook that depends on more than this
  must add a ``eloket_admin_sidebar_key`` hook too.
- the dialog depends only on the language, the user's shortcut setting, whether the browser runs on a
  Mac, and settings: it is rendered once per combination per process.
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template import Context, Template
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from wagtail import __version__ as wagtail_version
from wagtail import hooks
from wagtail.admin.templatetags import wagtailadmin_tags

SIDEBAR_TTL_S = 60
SIDEBAR_KEY_HOOK = "eloket_admin_sidebar_key"
# Wagtail's own test for the keyboard labels (wagtail.admin.utils.get_keyboard_key_labels_from_request).
_MAC = re.compile(r"Mac|iPod|iPhone|iPad")
_dialogs: dict[tuple, SafeString] = {}


@functools.cache
def _dialog_template() -> Template:
    return Template("{% load wagtailadmin_tags %}{% keyboard_shortcuts_dialog %}")


def _profile(user):
    # Loaded by Wagtail's admin localisation before the view; None when the user has none.
    return getattr(user, "wagtail_userprofile", None)


def sidebar_key(request: HttpRequest) -> str:
    user = request.user
    profile = _profile(user)
    if user.is_superuser:
        # A superuser sees every item whatever their permissions, which Django would load in full.
        permissions: tuple = ("superuser",)
    else:
        permissions = tuple(sorted(user.get_all_permissions()))
    varies = (
        wagtail_version,
        get_script_prefix(),
        translation.get_language(),
        user.is_active,
        permissions,
        user.get_username(),
        user.first_name,
        user.email,
        profile.avatar.name if profile and profile.avatar else "",
        sorted((profile.dismissibles or {}).items()) if profile else (),
        [fn(request) for fn in hooks.get_hooks(SIDEBAR_KEY_HOOK)],
    )
    digest = hashlib.sha256(repr(varies).encode()).hexdigest()[:32]
    return f"admin-sidebar:{user.pk}:{digest}"


def sidebar_props(context: Context) -> SafeString:
    """Wagtail's ``{% sidebar_props %}``, from the cache while the key holds."""
    key = sidebar_key(context["request"])
    html = cache.get(key)
    if html is None:
        html = str(wagtailadmin_tags.sidebar_props(context))
        cache.set(key, html, SIDEBAR_TTL_S)
    return mark_safe(html)  # noqa: S308 - Wagtail's json_script output, escaped when it was made


def keyboard_shortcuts_dialog(context: Context) -> SafeString:
    """Wagtail's ``{% keyboard_shortcuts_dialog %}``, rendered once per combination of what it reads."""
    request = context.get("request")
    profile = _profile(getattr(request, "user", None))
    key = (
        wagtail_version,
        get_script_prefix(),
        translation.get_language(),
        bool(getattr(profile, "keyboard_shortcuts", True)),
        bool(request and _MAC.search(request.headers.get("User-Agent", ""))),
        getattr(settings, "WAGTAILADMIN_COMMENTS_ENABLED", True),
    )
    html = _dialogs.get(key)
    if html is None:
        html = _dialogs[key] = mark_safe(_dialog_template().render(context))  # noqa: S308 - a rendered template
    return html
