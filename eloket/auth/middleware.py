"""Two session rules: citizens are logged out after a while without activity, and staff reach the admin
only with TOTP set up."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from eloket.auth.staff import has_totp, is_staff_user

LAST_ACTIVITY_SESSION_KEY = "eloket_last_activity"
GUEST_SESSION_KEY = "eloket_guest_dossier"
# Set by the citizens' logins (government and demo): the idle time applies to these sessions. Staff
# sessions (password and TOTP) never carry it.
CITIZEN_SESSION_KEY = "eloket_citizen_session"
# The session is written at most this often for activity alone (not on every request).
ACTIVITY_RESOLUTION_SECONDS = 30


def idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


class IdleTimeoutMiddleware:
    """Ends a citizen's session (or a visitor's one-dossier access) after ``SESSION_IDLE_MINUTES``
    without a request, and sends them to a page that says so. Staff sessions are Wagtail's. A session
    is a citizen's when a citizen login marked it (``CITIZEN_SESSION_KEY``): no query per request."""

    # The timer script's own call must not count as activity, or the page would keep itself alive.
    PASSIVE_PATHS = ("/sessie/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._applies(request):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if last is not None and now - int(last) > idle_seconds():
                return self._expire(request)
            passive = any(request.path.endswith(p) for p in self.PASSIVE_PATHS)
            if not passive and (last is None or now - int(last) >= ACTIVITY_RESOLUTION_SECONDS):
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _applies(request) -> bool:
        if request.user.is_authenticated:
            return bool(request.session.get(CITIZEN_SESSION_KEY))
        return GUEST_SESSION_KEY in request.session

    @staticmethod
    def _expire(request):
        next_url = request.get_full_path() if request.method == "GET" else ""
        logout(request)  # flushes the session, a one-dossier access with it
        target = reverse("eloket:session_expired")
        if next_url:
            target += "?" + urlencode({"next": next_url})
        return redirect(target)


class StaffMfaMiddleware:
    """Every staff account has TOTP: one without it is sent to set it up before it reaches the admin."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    SESSION_KEY = "eloket_staff_totp_checked"

    def __call__(self, request):
        if (
            request.path.startswith(self.admin_prefix)
            and request.user.is_authenticated
            # Checked once per session and user: an admin page should not pay two queries for it.
            and request.session.get(self.SESSION_KEY) != request.user.pk
            and not request.path.startswith(self.admin_prefix + "logout/")
        ):
            if is_staff_user(request.user) and not has_totp(request.user):
                return redirect(
                    reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()})
                )
            request.session[self.SESSION_KEY] = request.user.pk
        return self.get_response(request)

    @property
    def admin_prefix(self) -> str:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
        return self._admin_prefix
