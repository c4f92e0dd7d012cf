"""The PTR-pas: the overview's summary of the acting party's dossiers, for a frame on a city's website
or in Mijn Burgerprofiel (docs/login.md, "The PTR-pas inside Mijn Burgerprofiel and on city sites").

The only view of the site that may be framed, and only by our own pages and the configured parents
(``ELOKET_EMBED_PARENT_ORIGINS``); every other page keeps ``X-Frame-Options: DENY`` and
``frame-ancestors 'none'``. It reads what the overview reads, through the same selectors scoped to
``request.acting_party``. Its links open in the top window: the e-loket itself is never framed.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from csp.constants import SELF
from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from eloket import selectors

# What the PTR-pas shows: the first dossiers that need action (as the overview) and the newest ones.
EMBED_NEEDS_ACTION = 3
EMBED_NEWEST = 5


def embed_frame_ancestors() -> list[str]:
    """Who may frame the PTR-pas: our own pages (the demo city page) and the configured parents."""
    return [SELF, *settings.ELOKET_EMBED_PARENT_ORIGINS]


def _sdk_script_sources() -> list[str]:
    """The origin of Mijn Burgerprofiel's embed SDK module, which mbp-embed.js imports, if one is set."""
    url = settings.ELOKET_MBP_EMBED_SDK_URL
    if not (url and settings.ELOKET_MBP_EMBED_CLIENT_ID):
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"]


def framed_by_embed_parents(view):
    """Lets the configured parents frame ``view``, and no other page: no ``X-Frame-Options`` and
    ``frame-ancestors`` replaced by ``embed_frame_ancestors()``, through django-csp's per-view
    decorators. The policy is read on every request, not at import, so that settings changed at run
    time (tests) apply and the decorator never freezes a stale list."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        framed = csp_replace({"frame-ancestors": embed_frame_ancestors()})(view)
        sources = _sdk_script_sources()
        if sources:
            framed = csp_update({"script-src": sources})(framed)
        return framed(request, *args, **kwargs)

    return xframe_options_exempt(wrapped)


def _mbp_context() -> dict:
    """What mbp-embed.js needs, passed as data- attributes (no inline script: CSP forbids it)."""
    client_id = settings.ELOKET_MBP_EMBED_CLIENT_ID
    if not client_id:
        return {}
    return {
        "mbp_client_id": client_id,
        "mbp_sdk_url": settings.ELOKET_MBP_EMBED_SDK_URL,
        "mbp_allowed_hosts": " ".join(
            urlsplit(origin).hostname or "" for origin in settings.ELOKET_EMBED_PARENT_ORIGINS
        ),
    }


@framed_by_embed_parents
def ptr_pas_embed(request: HttpRequest) -> HttpResponse:
    """The PTR-pas. Not logged in (or the browser withheld the session cookie from a cross-site
    frame): a short text and the e-loket's login, opened in the top window, and no data. The login
    link is the one ``login_required`` (which guards the overview) would redirect to."""
    context = {**_mbp_context(), "overview_url": reverse("eloket:overview")}
    if not request.user.is_authenticated:
        context["login_url"] = redirect_to_login(context["overview_url"]).url
        return _private(render(request, "eloket/embed/ptr_pas.html", context))
    party = request.acting_party
    if party:
        municipalities = list(selectors.dossier_municipalities(party=party))
        context.update(
            party=party,
            totals=selectors.party_totals(party=party),
            needs_action=selectors.dossier_needs_action(
                party=party, municipalities=municipalities, limit=EMBED_NEEDS_ACTION
            ),
            newest=list(selectors.dossier_list(party=party)[:EMBED_NEWEST]),
            today=timezone.localdate(),
        )
    return _private(render(request, "eloket/embed/ptr_pas.html", context))


def _private(response: HttpResponse) -> HttpResponse:
    """A party's dossiers (or the login that stands for them): never stored by a cache or the browser."""
    response["Cache-Control"] = "private, no-store"
    return response


def demo_city_site(request: HttpRequest) -> HttpResponse:
    """A fictional city's website with the PTR-pas in a frame, to show the embed. Demo mode only."""
    if not settings.DEMO_MODE:
        raise Http404
    return render(request, "eloket/embed/demo_city_site.html")
