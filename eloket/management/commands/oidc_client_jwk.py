import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Print the public key (JWK) of ELOKET_OIDC_PRIVATE_KEY, to register with ACM/IDM for private_key_jwt "
        "(docs/login.md). Prints only the public half."
    )

    def handle(self, *args, **options):
        if not settings.OIDC_PRIVATE_KEY:
            raise CommandError("set ELOKET_OIDC_PRIVATE_KEY or ELOKET_OIDC_PRIVATE_KEY_FILE first")
        from eloket.auth.oidc import public_jwk

        key_id = (settings.OIDC_APP or {}).get("settings", {}).get("private_key_id", "")
        self.stdout.write(json.dumps({"keys": [public_jwk(settings.OIDC_PRIVATE_KEY, key_id)]}, indent=2))
