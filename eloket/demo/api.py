"""A demo API key, so that the API can be tried against ``make demo`` without the admin first.

Only in demo mode (``ELOKET_DEMO_MODE``, which production settings refuse): the token is published in
the README, so it must never exist on a real installation.
"""

from __future__ import annotations

from django.conf import settings

from eloket.models import ApiKey, Organisation

DEMO_PREFIX = "demogenk0001"
DEMO_SECRET = "demo-sleutel-niet-voor-productie"  # noqa: S105 (published on purpose, demo mode only)
DEMO_TOKEN = f"elk_{DEMO_PREFIX}.{DEMO_SECRET}"


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
    return key
