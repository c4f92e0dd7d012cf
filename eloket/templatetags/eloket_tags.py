from django import template
from django.urls import translate_url
from django.utils import translation

from eloket.money import format_eur

register = template.Library()


@register.filter
def eur(cents) -> str:
    return format_eur(int(cents or 0))


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One link per language to the same page: the translated Wagtail page, or the same view."""
    from django.conf import settings

    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if page is not None and hasattr(page, "get_translation_or_none"):
            from wagtail.models import Locale

            locale = Locale.objects.filter(language_code=code).first()
            translated = page.get_translation_or_none(locale) if locale else None
            # No live translation yet: that language's home page rather than a 404.
            url = translated.get_url(request) if translated is not None and translated.live else f"/{code}/"
        if url is None:
            url = _swap_language_prefix(request.get_full_path() if request else "/", current, code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


def _swap_language_prefix(path: str, current: str, code: str) -> str:
    """Our own URL patterns are the same words in every language, so switching language only swaps the
    prefix; ``translate_url`` (resolve + reverse, per language, per page) is the general fallback."""
    prefix = f"/{current}/"
    if path.startswith(prefix):
        return f"/{code}/{path[len(prefix) :]}"
    return translate_url(path, code)
