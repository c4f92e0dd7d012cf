from django.conf import settings


def eloket(request):
    party = getattr(request, "acting_party", None)
    return {
        "acting_party": party if party else None,
        "demo_mode": settings.DEMO_MODE,
    }
