"""Demo API keys, so that the API can be tried against ``make demo`` without the admin first: Stad
Genk's (a city system and scan car) and the demo parking provider's (``sessions:write`` only).

Only in demo mode (``ELOKET_DEMO_MODE``, which production settings refuse): the token is published in
the README, so it must never exist on a real installation.
"""

from __future__ import annotations

from django.conf import settings

from eloket.models import ApiKey, ApiScope, Organisation

DEMO_PREFIX = "demogenk0001"
DEMO_SECRET = "demo-sleutel-niet-voor-productie"  # noqa: S105 (published on purpose, demo mode only)
DEMO_TOKEN = f"elk_{DEMO_PREFIX}.{DEMO_SECRET}"
PROVIDER_PREFIX = "demoprov0001"
PROVIDER_TOKEN = f"elk_{PROVIDER_PREFIX}.{DEMO_SECRET}"


def seed_api_key(*, stdout=None) -> ApiKey | None:
    if not settings.DEMO_MODE:
        return None
    organisation = Organisation.objects.filter(slug="stad-genk").first()
    if organisation is None:
        return None
    key, created = ApiKey.objects.get_or_create(
        prefix=DEMO_PREFIX,
        defaults={
            "organisation": organisation,
            "name": "Demo: scanwagen Genk",
            "secret_hash": ApiKey.hash_secret(DEMO_SECRET),
        },
    )
    if created and stdout is not None:
        stdout.write(f"Demo API key for Stad Genk: {DEMO_TOKEN}")
    seed_provider_api_key(stdout=stdout)
    return key


def seed_provider_api_key(*, stdout=None) -> ApiKey | None:
    """The key of "Demo Mobiel Parkeren" (``eloket.demo.sessions``): it only reports sessions."""
    from eloket.demo.sessions import PROVIDER_SLUG

    if not settings.DEMO_MODE:
        return None
    provider = Organisation.objects.filter(slug=PROVIDER_SLUG).first()
    if provider is None:
        return None
    key, created = ApiKey.objects.get_or_create(
        prefix=PROVIDER_PREFIX,
        defaults={
            "organisation": provider,
            "name": "Demo: sessies van Demo Mobiel Parkeren",
            "secret_hash": ApiKey.hash_secret(DEMO_SECRET),
            "scopes": [ApiScope.SESSIONS_WRITE],
        },
    )
    if created and stdout is not None:
        stdout.write(f"Demo API key for Demo Mobiel Parkeren: {PROVIDER_TOKEN}")
    return key
