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

    def handle(self, *args, scale: int, **options):
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
        from eloket.demo.staff_totp import seed_staff_totp

        seed_staff_totp(stdout=self.stdout)  # every staff login of the demo needs TOTP (README)
        if scale:
            from eloket.scale import seed_scale

            try:
                seed_scale(dossiers=scale, stdout=self.stdout)  # reports its own summary
            except ValueError as error:
                raise CommandError(str(error)) from error
