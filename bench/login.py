"""The load test's login: a citizen or clerk prepared by ``bench.load_setup`` logs in by user name.

Bench-only, for the same reason as the minimal view: it exists only in ``bench.urls`` (the URLconf of
``bench.settings``), never in ``config.urls``, and it answers 404 unless demo mode is on, which
production settings refuse (``config.settings.production``). It does what the demo login does for a
citizen (``eloket.views.demo_login``: a session with the citizen flag, so the idle timeout applies)
and what ``staff_login`` in the tests does for a clerk (a session for a user with TOTP set up, as after
password and code), so that a thousand distinct citizens can log in without a thousand demo identities.
Only users whose name starts with ``bench-`` (made by the load set-up) can be chosen.
"""

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils.html import format_html

from eloket.auth.middleware import CITIZEN_SESSION_KEY
from eloket.models import User

PREFIX = "bench-"


def bench_login(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_MODE:
        raise Http404
    if request.method != "POST":
        return HttpResponse(
            format_html(
                '<!DOCTYPE html><title>bench</title><form method="post">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input name="username"><button>log in</button></form>',
                get_token(request),
            )
        )
    username = request.POST.get("username", "")
    user = User.objects.filter(username=username).first() if username.startswith(PREFIX) else None
    if user is None:
        return HttpResponse("unknown bench user", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if not user.is_staff:
        request.session[CITIZEN_SESSION_KEY] = True
        return redirect("eloket:overview")
    return HttpResponse("ok")
