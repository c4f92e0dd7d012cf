import argparse

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Seed the demo: five pilot cities, their pages and handlers, three citizens (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also generate N synthetic dossiers (with parties and municipalities) for load tests.",
        )
        parser.add_argument(
            "--submissions",
            type=int,
            default=None,
            metavar="M",
            help="With --scale: M synthetic submissions about them (default N/10).",
        )
        parser.add_argument(
            "--bulk",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="With --scale on PostgreSQL: rebuild indexes after the load (default: when the run at "
            "least doubles the dossiers). Only for a database nobody else uses meanwhile.",
        )

    def handle(self, *args, scale: int, submissions: int | None, bulk: bool | None, **options):
        from eloket import demo

        demo.seed(stdout=self.stdout)
        from eloket.demo.api import seed_api_key

        seed_api_key(stdout=self.stdout)
        try:
            from home.demo import seed_pages
        except ImportError:  # the pages app has no demo content yet
            seed_pages = None
        if seed_pages is not None:
            seed_pages(stdout=self.stdout)
            from forms.demo import seed_forms
            from forms.demo_triage import seed_triage

            seed_forms(stdout=self.stdout)
            seed_triage(stdout=self.stdout)
            from forms.demo_paid_by_app import seed_session_contest

            seed_session_contest(stdout=self.stdout)  # needs the forms and the clerks
        from eloket.demo.staff_totp import seed_staff_totp

        seed_staff_totp(stdout=self.stdout)  # every staff login of the demo needs TOTP (README)
        from eloket.demo.profile import seed_profile_events

        seed_profile_events(stdout=self.stdout)  # what the import would announce (docs/profile.md)
        if scale:
            from eloket.scale import seed_scale

            try:
                # reports its own summary
                seed_scale(dossiers=scale, submissions=submissions, bulk=bulk, stdout=self.stdout)
            except ValueError as error:
                raise CommandError(str(error)) from error
