"""``manage.py import_coda FILE --organisation SLUG``: read a CODA statement into an organisation's books."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eloket.models import Organisation
from eloket.payments.coda_import import CodaRejected, coda_import


class Command(BaseCommand):
    help = "Import a CODA bank statement: exact OGM matches are booked, the rest waits for a clerk."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="the organisation's slug")

    def handle(self, *args, file: Path, organisation: str, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(f"no organisation with slug {organisation!r}")
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            result = coda_import(organisation=found, content=content, file_name=file.name)
        except CodaRejected as rejected:
            for number, message in rejected.errors:
                self.stderr.write(f"{file.name}:{number}: {message}")
            raise CommandError(f"{file.name} was not imported: {len(rejected.errors)} error(s)") from None
        if result.already_imported:
            self.stdout.write(
                f"{file.name} was imported before (import {result.coda_import.pk}): nothing changed"
            )
            return
        self.stdout.write(
            f"{file.name}: {result.movements} movements, {result.matched} matched, "
            f"{result.unmatched} to resolve, {result.skipped} already imported"
        )
