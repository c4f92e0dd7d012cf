from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo's staff logins (demo mode only; secret in README)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo mode only")
        from eloket.demo.staff_totp import totp_code

        self.stdout.write(totp_code())
