from django import template
from django.http import QueryDict
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from eloket.money import format_eur

register = template.Library()


@register.filter
def eur(cents) -> str:
    return format_eur(int(cents or 0))


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One link per language to the same page: the Wagtail page's live translation, or, when it has
    none, the same page again with ``?taal=<code>`` (``untranslated_notice`` then says so in that
    language); for the e-loket's own views the same view in that language. Never another page."""
    from django.conf import settings

    request = context.get("request")
    page = _served_page(context)
    current = translation.get_language()
    path = request.get_full_path() if request else "/"
    links = []
    for code, name in settings.LANGUAGES:
        hreflang = code
        if page is None:
            url = _translated_path(path, current, code)
        elif code == current:
            url = page.get_url(request)
        else:
            translated = _live_translation(page, code)
            if translated is not None:
                url = translated.get_url(request)
            else:  # stay on this page; the notice in that language says why
                url = _with_query(request, page.get_url(request), taal=code)
                hreflang = page.locale.language_code
        links.append(
            {"code": code, "name": name, "url": url, "hreflang": hreflang, "current": code == current}
        )
    return links


@register.inclusion_tag("eloket/includes/untranslated_notice.html", takes_context=True)
def untranslated_notice(context) -> dict:
    """On a Wagtail page opened from the language switch (``?taal=fr``) that has no live translation in
    that language: a notice in that language that the page is shown in its own, and a link to the
    nearest page above it that does exist in that language (at worst that language's home page)."""
    from django.conf import settings

    request = context.get("request")
    page = _served_page(context)
    code = request.GET.get("taal", "") if request is not None else ""
    if page is None or code not in dict(settings.LANGUAGES) or code == page.locale.language_code:
        return {"show": False}
    if _live_translation(page, code) is not None:
        return {"show": False}
    nearest = next(
        (
            translated
            for ancestor in page.get_ancestors().specific().reverse()
            if (translated := _live_translation(ancestor, code)) is not None
        ),
        None,
    )
    with translation.override(code):
        language = str(get_language_info(page.locale.language_code)["name_translated"])
        if code == "fr":  # Django's French catalogue capitalises language names; a sentence does not
            language = language.lower()
        text = _("Deze pagina bestaat nog niet in uw taal. U leest ze in het %(language)s.") % {
            "language": language
        }
        link_text = (
            _("Verder in uw taal: %(title)s") % {"title": nearest.title} if nearest is not None else ""
        )
    return {
        "show": True,
        "code": code,
        "text": text,
        "link_url": nearest.get_url(request) if nearest is not None else "",
        "link_text": link_text,
    }


def _served_page(context):
    """The Wagtail page this request serves, or None: e-loket views may put a page in their context
    (the form a message is written on) without being that page."""
    page = context.get("page")
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if page is None or not hasattr(page, "get_translation_or_none") or match is None:
        return None
    return page if match.url_name == "wagtail_serve" else None


def _live_translation(page, code: str):
    from wagtail.models import Locale

    locale = Locale.objects.filter(language_code=code).first()
    translated = page.get_translation_or_none(locale) if locale is not None else None
    return translated if translated is not None and translated.live else None


def _with_query(request, url: str, **params: str) -> str:
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    return f"{url}?{query.urlencode()}"


def _translated_path(path: str, current: str, code: str) -> str:
    """The current URL in another language, as ``translate_url`` gives it. Our own URL patterns are the
    same words in every language, so for a path under the current language's prefix that is the same
    path with the other prefix (tested against ``translate_url``), without resolving and reversing
    four times per page (docs/performance.md); anything else goes through ``translate_url`` itself."""
    prefix = f"/{current}/"
    if path.startswith(prefix):
        return f"/{code}/{path[len(prefix) :]}"
    return translate_url(path, code)
