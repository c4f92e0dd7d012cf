from django.conf import settings


def eloket(request):
    # Passed on unevaluated (``ActingPartyMiddleware`` makes it lazy): a page that does not show the
    # acting party, such as every admin page, does not look it up.
    return {
        "acting_party": getattr(request, "acting_party", None),
        "demo_mode": settings.DEMO_MODE,
    }
