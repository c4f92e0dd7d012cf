"""``manage.py retention [--dry-run]``: apply the retention policies now and print what was (or, with
``--dry-run``, would be) anonymised or deleted, per organisation, category and action; with
``--dry-run --files`` also the storage name of every file that would be removed. The nightly
schedule (``eloket.schedules``) runs the same service (docs/retention.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from eloket.retention import retention_apply


class Command(BaseCommand):
    help = "Anonymise or delete what the retention policies say is due (docs/retention.md)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count only; change nothing")
        parser.add_argument(
            "--files", action="store_true", help="with --dry-run: also list the files that would be removed"
        )

    def handle(self, *args, dry_run: bool = False, files: bool = False, **options):
        if files and not dry_run:
            raise CommandError("--files lists what a dry run foresees: use it with --dry-run")
        report = retention_apply(now=timezone.now(), dry_run=dry_run)
        title = "Retention (dry run: nothing changed)" if dry_run else "Retention"
        self.stdout.write(f"{title} at {report.now:%Y-%m-%d %H:%M}")
        rows = report.rows()
        if not rows:
            self.stdout.write("Nothing due.")
            return
        width = max(len(name) for name, *_rest in rows)
        for name, category, action, count in rows:
            self.stdout.write(f"{name:<{width}}  {category:<12} {action:<10} {count:>9}")
        self.stdout.write(f"{'total':<{width}}  {'':<12} {'':<10} {sum(r[3] for r in rows):>9}")
        if files:
            self.stdout.write(f"Files that would be removed: {len(report.files)}")
            for name in report.file_names():
                self.stdout.write(f"  {name}")
