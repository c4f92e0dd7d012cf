"""``manage.py import_dossiers FILE --organisation SLUG``: dossiers from a CSV or NDJSON file, with the
same validation and per-line report as the API's bulk import (``eloket.ingest``)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from eloket.ingest import Importer, csv_lines, csv_text, ndjson_lines
from eloket.models import ImportRun, Organisation


class Command(BaseCommand):
    help = "Import dossiers from CSV or NDJSON; prints one line per error and a summary."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument(
            "--format",
            choices=["auto", "csv", "ndjson"],
            default="auto",
            help="default: from the file's suffix",
        )
        parser.add_argument("--report", type=Path, help="write every line's result here (NDJSON)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file: Path, organisation: str, format: str, report: Path | None, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(f"no organisation with slug {organisation!r}")
        if format == "auto":
            format = "csv" if file.suffix.lower() == ".csv" else "ndjson"
        try:
            handle = file.open("rb")
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        size = file.stat().st_size
        importer = Importer(organisation=found, source=ImportRun.Source.COMMAND, actor_label=str(found))
        with (
            handle,
            tqdm(
                total=size, unit="B", unit_scale=True, disable=options["no_progress"], desc=file.name
            ) as progress,
            report.open("w") if report else _Null() as out,
        ):
            lines = _progressing(
                csv_lines(csv_text(handle)) if format == "csv" else ndjson_lines(handle), handle, progress
            )
            for result in importer.feed(lines):
                if out:
                    out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
                if result.status == "error":
                    for name, errors in (result.errors or {}).items():
                        for error in errors:
                            tqdm.write(
                                f"{file.name}:{result.line}: {name}: {error['message']}", file=self.stderr
                            )
        run = importer.finish()
        self.stdout.write(
            f"{file.name}: {run.lines} lines, {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.failed} with errors, "
            f"{run.cancelled_by_permit} cancelled by permit, {run.cancelled_by_session} cancelled by session"
        )
        if run.failed:
            raise CommandError(f"{run.failed} line(s) were not imported; see the errors above", returncode=2)


def _progressing(lines, handle, progress):
    position = 0
    for item in lines:
        try:
            now = handle.tell()
        except (OSError, ValueError):
            now = position
        if now > position:
            progress.update(now - position)
            position = now
        yield item


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
