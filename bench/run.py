"""``python -m bench``: the citizen's overview and the clerk inbox against a minimal Django view.

Builds (or reuses) a database with at least ``--dossiers`` dossiers, logs in as a party with exactly 50
dossiers, and times both views in-process with ``django.test.Client`` (median of ``--requests`` after
warm-up, the two views interleaved so that drift in the machine hits both). Prints one line per
benchmark and exits with 1 when the overview misses its target ratio.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

from bench import inbox

TARGET_RATIO = 2.0
NOTES = {
    "clerk_inbox_after_a_change": "no target; every request follows a change, so nothing is cached",
    "empty_admin_page": "no target; Wagtail's admin chrome with nothing in it",
    "ptr_pas_embed": "no target; the embeddable PTR-pas of the same party (totals, 3 to act on, 5 newest)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dossiers", type=int, default=1_000_000, help="at least this many (default 1000000)"
    )
    parser.add_argument(
        "--submissions", type=int, default=200_000, help="in the clerk's inbox, at least (default 200000)"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per view (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per view first (default 20)")
    parser.add_argument(
        "--only",
        choices=["all", "overview", "payments", "mail", "ingest", "sessions", "letters", "load"],
        default="all",
        help="which benchmarks (default all)",
    )
    parser.add_argument("--payment-events", type=int, default=10_000, help="webhook events (default 10000)")
    parser.add_argument("--coda-movements", type=int, default=100_000, help="CODA movements (default 100000)")
    parser.add_argument("--mails", type=int, default=100_000, help="new-dossier e-mails (default 100000)")
    parser.add_argument("--letters", type=int, default=10_000, help="letters by post (default 10000)")
    parser.add_argument(
        "--ingest-dossiers", type=int, default=1_000_000, help="through the bulk API (default 1000000)"
    )
    parser.add_argument("--permits", type=int, default=100_000, help="for the cross-check (default 100000)")
    parser.add_argument(
        "--sessions", type=int, default=10_000_000, help="parking sessions, at least (default 10000000)"
    )
    parser.add_argument(
        "--session-retributions",
        type=int,
        default=1_000_000,
        help="retributions for the session cross-check, at least (default 1000000)",
    )
    parser.add_argument(
        "--ingest-sessions",
        type=int,
        default=1_000_000,
        help="through the sessions bulk API (default 1000000)",
    )
    parser.add_argument("--rights-checks", type=int, default=200, help="timed rights checks (default 200)")
    parser.add_argument("--db", help="the database's URL (default DATABASE_URL, else var/bench.sqlite3)")
    parser.add_argument(
        "--compare", metavar="URL", help="load: a second database, with each request type's p95 growth"
    )
    parser.add_argument("--users", type=int, default=30, help="load: simulated people (default 30)")
    parser.add_argument("--duration", type=int, default=60, help="load: seconds per database (default 60)")
    parser.add_argument("--gunicorn-workers", type=int, default=3, help="load: web processes (default 3)")
    args = parser.parse_args(argv)
    if args.db:
        os.environ["DATABASE_URL"] = args.db

    # Not setdefault: a DJANGO_SETTINGS_MODULE left in the shell would lack the reference view.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if args.only == "load":
        return 0 if run_load(args) else 1
    if args.only == "ingest":
        from bench.ingest import main as ingest_main

        return 0 if ingest_main(dossiers=args.ingest_dossiers, permits=args.permits) else 1
    if args.only == "sessions":
        return 0 if run_sessions(args) else 1
    if args.only == "mail":
        from bench.mail import main as mail_main

        return 0 if mail_main(mails=args.mails) else 1
    if args.only == "letters":
        from bench.letters import main as letters_main

        return 0 if letters_main(letters=args.letters) else 1
    overview_ok = run_overview(args) if args.only != "payments" else True
    if args.only == "overview":
        return 0 if overview_ok else 1
    from bench.payments import main as payments_main

    payments_ok = payments_main(events=args.payment_events, movements=args.coda_movements)
    if args.only == "payments":
        return 0 if overview_ok and payments_ok else 1
    from bench.mail import main as mail_main

    mail_ok = mail_main(mails=args.mails)
    from bench.ingest import main as ingest_main

    ingest_ok = ingest_main(dossiers=args.ingest_dossiers, permits=args.permits)
    sessions_ok = run_sessions(args)
    from bench.letters import main as letters_main

    letters_ok = letters_main(letters=args.letters)
    load_ok = run_load(args)
    return 0 if all((overview_ok, payments_ok, mail_ok, ingest_ok, sessions_ok, letters_ok, load_ok)) else 1


def run_sessions(args) -> bool:
    """Parking sessions (``bench.sessions``): rights check, batch, bulk ingest and cross-check."""
    from bench.sessions import main as sessions_main

    return sessions_main(
        sessions=args.sessions,
        retributions=args.session_retributions,
        ingest=args.ingest_sessions,
        checks=args.rights_checks,
    )


def run_load(args) -> bool:
    """The load test (``bench.load``) on this database, and on ``--compare`` when given."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench load: skipped, it needs PostgreSQL (set DATABASE_URL or --db; see docs/performance.md)")
        return True
    from bench.load import main as load_main

    url = os.environ.get("DATABASE_URL") or settings.DATABASES["default"]["NAME"]
    return load_main(
        db=url,
        compare=args.compare,
        users=args.users,
        duration=args.duration,
        workers=args.gunicorn_workers,
    )


def run_overview(args) -> bool:
    dataset = ensure_dataset(minimum=args.dossiers)
    inbox_data = inbox.ensure_submissions(minimum=args.submissions)
    times = measure(
        party_id=dataset["party_id"],
        organisation_id=inbox_data["organisation_id"],
        requests=args.requests,
        warmup=args.warmup,
    )

    minimal = times["minimal_50_rows"]
    parties, database, origin = dataset["parties"], dataset["database"], dataset["origin"]
    print(f"bench dataset: {dataset['dossiers']} dossiers ({parties} parties, {database}, {origin})")
    print(
        f"bench dataset: {inbox_data['submissions']} submissions in one organisation's inbox"
        f" ({inbox_data['origin']})"
    )
    print(f"bench minimal_50_rows: {minimal:.1f} ms (median of {args.requests} requests)")
    missed = []
    for name, target in (
        ("overview_50", TARGET_RATIO),
        ("clerk_inbox_received_overdue", inbox.TARGET_RATIO),
        ("clerk_inbox_after_a_change", None),
        ("empty_admin_page", None),
        ("ptr_pas_embed", None),
    ):
        ratio = times[name] / minimal
        goal = f"target {target}" if target else NOTES[name]
        print(f"bench {name}: {times[name]:.1f} ms (ratio {ratio:.2f} vs minimal_50_rows, {goal})")
        if target and ratio > target:
            missed.append(name)
    return not missed


def ensure_dataset(*, minimum: int) -> dict:
    """Reuse the database when it holds enough dossiers and a party with exactly 50; else add them."""
    from eloket.models import Dossier, Party
    from eloket.scale import BENCH_PARTY_DOSSIERS, seed_scale

    total = Dossier.objects.count()
    origin = "reused"
    if total < minimum:
        started = time.monotonic()
        result = seed_scale(dossiers=max(minimum - total, BENCH_PARTY_DOSSIERS), stdout=sys.stdout)
        party_id = result.bench_party_id
        origin = f"generated in {time.monotonic() - started:.0f} s"
    else:
        party_id = party_with_dossiers(BENCH_PARTY_DOSSIERS)
        if party_id is None:
            party_id = seed_scale(dossiers=BENCH_PARTY_DOSSIERS, parties=1, stdout=sys.stdout).bench_party_id
    return {
        "dossiers": Dossier.objects.count(),
        "parties": Party.objects.count(),
        "database": database_label(),
        "origin": origin,
        "party_id": party_id,
    }


def party_with_dossiers(count: int) -> int | None:
    from django.db.models import Count

    from eloket.models import Dossier

    return (
        Dossier.objects.values("party_id")
        .annotate(n=Count("id"))
        .filter(n=count)
        .order_by("party_id")
        .values_list("party_id", flat=True)
        .first()
    )


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"{connection.display_name} {sqlite3.sqlite_version}"


def bench_user(*, party_id: int):
    """A login that acts as the party, as a citizen who logged in would."""
    from eloket import services
    from eloket.constants import RepresentationRole
    from eloket.models import Party, User

    user, created = User.objects.get_or_create(username=f"bench-party-{party_id}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    services.representation_add(user=user, party=Party.objects.get(pk=party_id), role=RepresentationRole.SELF)
    return user


def measure(*, party_id: int, organisation_id: int, requests: int, warmup: int) -> dict[str, float]:
    """Median server time in milliseconds per view, in-process, the views taking turns."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    citizen, clerk = Client(), Client()
    citizen.force_login(bench_user(party_id=party_id))
    clerk.force_login(inbox.clerk_user(organisation_id=organisation_id))
    with translation.override("nl"):
        urls = {
            "overview_50": reverse("eloket:overview"),
            "minimal_50_rows": reverse("bench_minimal_50_rows"),
            "ptr_pas_embed": reverse("eloket:ptr_pas_embed"),
        }
        inbox_url = reverse("eloket_forms_admin:inbox") + inbox.INBOX_QUERY
    check(citizen, urls)
    inbox.check_inbox(clerk.get(inbox_url))
    targets = {name: (citizen, url, None) for name, url in urls.items()}
    targets["clerk_inbox_received_overdue"] = (clerk, inbox_url, None)
    targets["clerk_inbox_after_a_change"] = (clerk, inbox_url, inbox.change_one(organisation_id))
    targets["empty_admin_page"] = (clerk, reverse("bench_empty_admin_page"), None)
    samples = {name: [] for name in targets}
    gc.collect()
    for i in range(warmup + requests):
        order = list(targets.items()) if i % 2 else list(reversed(targets.items()))
        for name, (client, url, before) in order:
            if before is not None:
                before()  # untimed: a clerk elsewhere changed a submission
            started = time.perf_counter()
            client.get(url)
            elapsed = time.perf_counter() - started
            if i >= warmup:
                samples[name].append(elapsed * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def check(client, urls: dict[str, str]) -> None:
    """Both views answer 200 with the party's rows, or the numbers would mean nothing."""
    from bench.views import ROWS

    overview = client.get(urls["overview_50"])
    minimal = client.get(urls["minimal_50_rows"])
    if overview.status_code != 200 or b"dossier-table" not in overview.content:
        raise SystemExit(f"bench: the overview answered {overview.status_code} without its table")
    if minimal.status_code != 200 or minimal.content.count(b"<tr>") != ROWS:
        raise SystemExit(f"bench: the minimal view answered {minimal.status_code} without 50 rows")
