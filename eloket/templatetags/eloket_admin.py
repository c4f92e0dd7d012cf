"""Wagtail's admin chrome, made once: see ``eloket.admin_chrome``. Used by ``wagtailadmin/base.html``."""

from django import template

from eloket import admin_chrome

register = template.Library()


@register.simple_tag(takes_context=True)
def eloket_sidebar_props(context):
    return admin_chrome.sidebar_props(context)


@register.simple_tag(takes_context=True)
def eloket_keyboard_shortcuts_dialog(context):
    return admin_chrome.keyboard_shortcuts_dialog(context)
