"""Login, logout and session views: the citizen's login page, the OpenID Connect login and callback (allauth's
views with ``AcmIdmOAuth2Adapter``), logout at the provider too, the idle-session pages, the contact
address confirmation and one dossier without login."""

from __future__ import annotations

import logging
import time

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eloket.auth import guest, oidc, services
from eloket.auth.middleware import LAST_ACTIVITY_SESSION_KEY, idle_seconds
from eloket.auth.provider import AcmIdmOAuth2Adapter

logger = logging.getLogger(__name__)

CONFIRM_MAX_AGE_SECONDS = 3 * 24 * 3600
CONFIRM_SALT = "eloket.auth.contact_address"


# The OpenID Connect login ------------------------------------------------------------------------


class AcmIdmCallbackView(OAuth2CallbackView):
    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        if state:
            self.adapter.expected_nonce = state.get("nonce")
        return state, response


def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2LoginView.adapter_view(AcmIdmOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return AcmIdmCallbackView.adapter_view(AcmIdmOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def oidc_configured() -> bool:
    return bool(settings.OIDC_APP)


def login_view(request: HttpRequest) -> HttpResponse:
    """The citizen's login page: the government login, the demo login in demo mode, and the way to open
    one dossier without a Belgian login."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    oidc_url = ""
    if oidc_configured():
        oidc_url = reverse("openid_connect_login", kwargs={"provider_id": settings.OIDC_PROVIDER_ID})
    demo_url = ""
    if settings.DEMO_MODE:
        from urllib.parse import urlencode

        demo_url = reverse("eloket:demo_login") + ("?" + urlencode({"next": next_url}) if next_url else "")
    return render(
        request,
        "eloket/login.html",
        {"oidc_url": oidc_url, "demo_url": demo_url, "next": next_url},
    )


def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here, and at the provider too when the session came from it (RP-initiated logout).
    A GET (the global header's link) asks first: logging out changes state, so only a POST does it."""
    if request.method != "POST":
        return render(request, "eloket/auth/logout_confirm.html")
    sealed = request.session.get(oidc.ID_TOKEN_SESSION_KEY)
    id_token = oidc.unseal(sealed) if sealed else None
    logout(request)
    done_url = settings.SITE_URL.rstrip("/") + reverse("eloket:logged_out")
    if id_token and settings.OIDC_APP:
        try:
            target = oidc.end_session_url(
                server_url=settings.OIDC_APP["settings"]["server_url"],
                id_token=id_token,
                client_id=settings.OIDC_APP["client_id"],
                post_logout_redirect_uri=done_url,
            )
        except Exception:  # the provider is unreachable: the local session is over all the same
            logger.warning("oidc_logout end_session_endpoint unreachable")
            target = ""
        if target:
            return redirect(target)
        return redirect("eloket:logged_out")
    return redirect("/")


def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "eloket/auth/logged_out.html")


def staff_login(request: HttpRequest) -> HttpResponse:
    """Wagtail's login URL: on to allauth's login (password, then TOTP), back to the admin after."""
    from urllib.parse import urlencode

    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect(
        reverse("account_login") + "?" + urlencode({"next": next_url or reverse("wagtailadmin_home")})
    )


# Idle sessions -----------------------------------------------------------------------------------


def session_expired(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return render(
        request,
        "eloket/auth/session_expired.html",
        {"minutes": settings.SESSION_IDLE_MINUTES, "next": next_url},
    )


def session_status(request: HttpRequest) -> JsonResponse:
    """For the page's timer: seconds left before the session ends for idleness (POST: stay logged in).
    The middleware does not count a GET here as activity."""
    active = request.user.is_authenticated or guest.grant_for(request) is not None
    if not active:
        return JsonResponse({"active": False, "seconds_left": 0})
    now = int(time.time())
    if request.method == "POST":
        request.session[LAST_ACTIVITY_SESSION_KEY] = now
    last = int(request.session.get(LAST_ACTIVITY_SESSION_KEY, now))
    response = JsonResponse({"active": True, "seconds_left": max(0, idle_seconds() - (now - last))})
    response["Cache-Control"] = "no-store"
    return response


# The contact address ----------------------------------------------------------------------------


@login_required
def contact_address(request: HttpRequest) -> HttpResponse:
    """The acting party's contact address and whether it is confirmed; POST mails a confirmation link."""
    party = request.acting_party or None
    if party is None:
        return render(request, "eloket/no_party.html")
    if request.method == "POST" and party.email and not party.email_verified:
        token = signing.dumps({"party": party.pk, "email": party.email}, salt=CONFIRM_SALT)
        from eloket.notifications import notification_queue

        notification_queue(
            key=f"contact-confirm:{party.pk}:{token[-16:]}",
            template="contact_address_confirm",
            to_email=party.email,
            language=translation.get_language() or party.language,
            context={
                "name": party.display_name,
                "confirm_path": reverse("eloket:contact_address_confirm", args=[token]),
            },
            party=party,
            user=request.user,
        )
        messages.success(
            request,
            _("We stuurden een e-mail met een bevestigingslink naar %(email)s.") % {"email": party.email},
        )
        return redirect("eloket:contact_address")
    return render(request, "eloket/auth/contact_address.html", {"party": party})


@login_required
def contact_address_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return render(request, "eloket/auth/contact_address_confirm.html", {"invalid": True}, status=400)
    party = request.acting_party or None
    if party is None or party.pk != data.get("party"):
        return render(request, "eloket/auth/contact_address_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if services.contact_address_confirm(party=party, email=data.get("email", "")):
            messages.success(request, _("Uw e-mailadres is bevestigd."))
        else:
            messages.error(
                request, _("Dit e-mailadres is intussen gewijzigd. Vraag een nieuwe bevestigingslink.")
            )
        return redirect("eloket:contact_address")
    return render(request, "eloket/auth/contact_address_confirm.html", {"email": data.get("email", "")})


# One dossier without login ----------------------------------------------------------------------


class GuestAccessForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Referentie van het dossier"),
        max_length=32,
        help_text=gettext_lazy("Zoals op de brief, bijvoorbeeld GAS-2025-000123."),
    )
    plate = forms.CharField(
        label=gettext_lazy("Nummerplaat"),
        max_length=16,
        help_text=gettext_lazy("Zonder spaties of streepjes mag ook."),
    )
    check = forms.CharField(
        label=gettext_lazy("Laatste vier cijfers van de gestructureerde mededeling"),
        max_length=8,
        help_text=gettext_lazy(
            "De mededeling staat bij de betaalgegevens, bijvoorbeeld +++123/4567/89002+++: dan is het 9002."
        ),
    )


def guest_access(request: HttpRequest) -> HttpResponse:
    """Open one dossier with the reference, the plate and the check value on the letter."""
    if request.user.is_authenticated:
        return redirect("eloket:overview")
    form = GuestAccessForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            dossier = guest.dossier_open(
                request,
                reference=form.cleaned_data["reference"],
                plate=form.cleaned_data["plate"],
                check=form.cleaned_data["check"],
            )
        except guest.AccessRefused as refused:
            error, status = refused.message, refused.status
        else:
            return redirect("eloket:dossier_detail", reference=dossier.reference)
    elif request.method == "POST":
        status = 400
    return render(request, "eloket/auth/guest_access.html", {"form": form, "error": error}, status=status)


@require_POST
def guest_close(request: HttpRequest) -> HttpResponse:
    guest.dossier_close(request)
    return redirect("eloket:logged_out")
