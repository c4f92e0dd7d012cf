"""``manage.py import_parking_areas FILE [--dry-run]``: parking areas from a CSV file, all or nothing
(``eloket.sessions.areas_csv``). Prints a summary, or every error with its line and column and exits
with status 1, having written nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eloket.sessions.areas import parking_areas_import


class Command(BaseCommand):
    help = "Import parking areas from CSV (upsert by municipality and code); nothing is written on an error."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            with file.open("rb") as handle:
                result = parking_areas_import(file=handle, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        for error in result.errors:
            self.stderr.write(f"{file.name}:{error}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s) in {file.name}; nothing was written")
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
