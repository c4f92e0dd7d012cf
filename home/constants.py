"""Stable codes for the content app: values are English codes, labels are translated Dutch source strings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The content languages, Dutch first: it is the source language of every page tree (DESIGN §5).
SOURCE_LANGUAGE = "nl"
CONTENT_LANGUAGES = ("nl", "fr", "en", "de")

# What a city's editors may do in their own page trees (Wagtail page permission codenames).
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
# Global permissions an editor needs: the admin itself and wagtail-localize's "translate this page".
EDITOR_GLOBAL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("wagtail_localize", "submit_translation"),
)
EDITOR_GROUP_PREFIX = "Redacteurs"


class CalloutTone(models.TextChoices):
    INFO = "info", _("Informatie")
    WARNING = "warning", _("Waarschuwing")


# The visible label in front of a call-out: the tone must not rely on colour alone (WCAG 1.4.1).
CALLOUT_TONE_HEADINGS = {
    CalloutTone.INFO: _("Goed om te weten"),
    CalloutTone.WARNING: _("Let op"),
}


class EloketTarget(models.TextChoices):
    """Where a link block may point inside the e-loket; resolved with ``reverse`` when it is rendered."""

    OVERVIEW = "overview", _("Mijn dossiers")
    LOGIN = "login", _("Aanmelden")


ELOKET_TARGET_URL_NAMES = {
    EloketTarget.OVERVIEW: "eloket:overview",
    EloketTarget.LOGIN: "eloket:login",
}
