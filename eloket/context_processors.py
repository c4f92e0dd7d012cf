from django.conf import settings


def eloket(request):
    # Passed on unevaluated (``ActingPartyMiddleware`` makes it lazy): a page that does not show the
    # acting party, such as every admin page, does not look it up.
    return {
        "acting_party": getattr(request, "acting_party", None),
        "demo_mode": settings.DEMO_MODE,
        **_session_context(request),
        **_burgerprofiel_context(),
    }


def _session_context(request) -> dict:
    """The one dossier opened without login, and the idle timer of a citizen's or visitor's session."""
    from eloket.auth.guest import grant_for
    from eloket.auth.middleware import CITIZEN_SESSION_KEY

    user = getattr(request, "user", None)
    if user is None or not hasattr(request, "session"):
        return {}
    grant = grant_for(request)
    timed = (user.is_authenticated and bool(request.session.get(CITIZEN_SESSION_KEY))) or grant is not None
    return {
        "guest_dossier": grant,
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60 if timed else 0,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_MINUTES * 60,
    }


def _burgerprofiel_context() -> dict:
    if not settings.BURGERPROFIEL_WIDGET_ID:
        return {}
    return {
        "burgerprofiel_widget_url": (
            f"{settings.BURGERPROFIEL_WIDGET_ORIGIN}/api/v2/widget/{settings.BURGERPROFIEL_WIDGET_ID}/entry"
        )
    }
