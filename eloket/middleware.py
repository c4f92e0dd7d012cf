from csp.constants import NONCE
from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from eloket.admin_csp import admin_nonce
from eloket.selectors import acting_party_for_user

ACTING_PARTY_SESSION_KEY = "eloket_acting_party"


class ActingPartyMiddleware:
    """Sets ``request.acting_party``: the party the logged-in user acts as (themselves or a company).

    The choice lives in the session and is checked against the user's representations on every
    request, so a stale or forged id falls back to the user's own party.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting_party = SimpleLazyObject(
            lambda: acting_party_for_user(
                user=request.user, party_id=request.session.get(ACTING_PARTY_SESSION_KEY)
            )
        )
        return self.get_response(request)


class AdminContentSecurityPolicyMiddleware:
    """The Content-Security-Policy of Wagtail's admin: the site's, plus the nonce of its own inline
    scripts, inline styles, and framing by its own pages.

    The admin's inline panels, date pickers and choosers start themselves with small inline scripts;
    those carry the response's nonce (``eloket.admin_csp``), so the admin's ``script-src`` is
    ``'self' 'nonce-…'``, without ``'unsafe-inline'``, as on the citizen pages (which have no inline
    script at all). Inline styles stay allowed in the admin only (Draftail and the choosers set
    ``style`` attributes). Its own pages may frame each other (the live preview). Listed after
    ``CSPMiddleware`` (which makes ``request.csp_nonce``), so that it marks the response before the
    policy is built.
    """

    ADMIN_UPDATE = {"script-src": [NONCE], "style-src": ["'unsafe-inline'"]}
    ADMIN_REPLACE = {"frame-ancestors": ["'self'"]}

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        with admin_nonce(str(request.csp_nonce)):
            response = self.get_response(request)
        response._csp_update = self.ADMIN_UPDATE
        response._csp_replace = self.ADMIN_REPLACE
        return response

    @property
    def prefix(self) -> str:
        if self._prefix is None:
            from django.urls import reverse

            self._prefix = reverse("wagtailadmin_home")
        return self._prefix


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, with two differences.

    - A 404 outside the language-prefixed site (the API, the webhooks) stays a 404: Django would
      redirect it to ``/nl/…``, which Wagtail's catch-all page route always "matches".
    - The admin (``/beheer/``) is in Dutch, the source language, whatever the browser asks: a clerk
      in Genk with an English browser works in Dutch. Staff choose another language in their account
      (Wagtail's preferred language, applied by its ``require_admin_access`` inside this default).
    """

    UNPREFIXED = ("/api/", "/betalingen/webhook/")
    ADMIN = "/beheer/"

    def process_request(self, request):
        if request.path_info.startswith(self.ADMIN):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(self.UNPREFIXED):
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` (feature → allowed origins;
    an empty list denies the feature to every frame, ours included). Built once per process."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
