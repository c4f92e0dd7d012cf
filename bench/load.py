"""``python -m bench --only load``: citizens, clerks and city systems at once, against gunicorn.

For each database (``--db``, and ``--compare`` for a second one) it prepares the simulated people
(``bench.load_setup``), starts the Stripe stand-in, gunicorn (``--workers``, with ``bench.settings``
so that the minimal view and the bench login exist) and a django-q2 cluster with two workers, runs
locust headless (``bench/locustfile.py``) for ``--duration`` seconds with ``--users`` users, and prints
per request type: requests, failures, throughput, p50/p95/p99 and the ratio of p50 and p95 to the
foundation benchmark's minimal view (``minimal_50_rows``), which the citizens open in the same run.

With ``--compare`` it then prints, per request type, how much p95 grew from the first database to
the second (target: at most 1.5 from 1,000,000 to 10,000,000 dossiers: a request's cost must follow
what one user sees, not the total). Exits 1 on failed requests or a missed growth target.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

GROWTH_TARGET = 1.5
BASELINE = "minimal_50_rows"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def main(
    *,
    db: str,
    compare: str | None = None,
    users: int = 30,
    duration: int = 60,
    workers: int = 3,
    spawn_rate: float = 10,
) -> bool:
    runs = []
    for url in [db, compare] if compare else [db]:
        rows, info = run_once(db=url, users=users, duration=duration, workers=workers, spawn_rate=spawn_rate)
        print_table(rows, info)
        runs.append((rows, info))
    ok = all(row.failures == 0 for rows, _info in runs for row in rows.values())
    if compare:
        ok = print_growth(runs[0], runs[1]) and ok
    return ok


def run_once(*, db: str, users: int, duration: int, workers: int, spawn_rate: float, citizens: int = 300):
    """One load run on ``db``: (rows by request type, what ran)."""
    env = server_env(db) | {"BENCH_LOAD_CITIZENS": str(citizens)}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        data_file = Path(tmp) / "people.json"
        subprocess.run(
            [sys.executable, "-m", "bench.load", "--prepare", str(data_file)], env=env, check=True, cwd=ROOT
        )
        info = json.loads(data_file.read_text())
        info = {"dossiers": info["dossiers"], "database": redact(db)}
        port, standin_port = free_port(), free_port()
        env |= {
            "STRIPE_API_BASE": f"http://127.0.0.1:{standin_port}",
            "STRIPE_CHECKOUT_ORIGIN": f"http://127.0.0.1:{standin_port}",
            "ELOKET_SITE_URL": f"http://127.0.0.1:{port}",
        }
        logs = open(Path(tmp) / "servers.log", "wb")  # noqa: SIM115
        bin_dir = Path(sys.executable).parent
        webhook = f"http://127.0.0.1:{port}/betalingen/webhook/stripe/"
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "eloket.payments.standin", "--port", str(standin_port),
                 "--webhook-url", webhook, "--async-delay", "1"],
                env=env, cwd=ROOT, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True,
            ),
            subprocess.Popen(
                [str(bin_dir / "gunicorn"), "config.wsgi:application", "--workers", str(workers), "--preload",
                 "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--timeout", "120"],
                env=env, cwd=ROOT, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True,
            ),
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                env=env | {"Q_WORKERS": "2"}, cwd=ROOT, stdout=logs, stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
        ]  # fmt: skip
        try:
            wait_until_up(f"http://127.0.0.1:{port}/bench/login/")
            warm_up(f"http://127.0.0.1:{port}", workers)
            prefix = Path(tmp) / "locust"
            subprocess.run(
                [str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{duration}s",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                 "--reset-stats", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                env=env | {"BENCH_LOAD_DATA": str(data_file)}, cwd=ROOT, check=True,
                stdout=logs, stderr=subprocess.STDOUT,
            )  # fmt: skip
            rows = read_stats(Path(f"{prefix}_stats.csv"))
            failures = Path(f"{prefix}_failures.csv")
            if failures.exists() and any(r.failures for r in rows.values()):
                print(failures.read_text(), file=sys.stderr)
        finally:
            for process in processes:  # each started in its own session: its workers go with it
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            logs.close()
    info |= {"users": users, "duration": duration, "workers": workers}
    return rows, info


def server_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"bench load: the server did not answer {url} in {timeout:.0f} s")
        time.sleep(0.5)


def warm_up(base: str, workers: int) -> None:
    """A few requests per web process before the clock starts: the first request of a process loads
    the URLconf, templates and translations, which no user after it pays again."""
    for _ in range(workers * 4):
        for path in ("/bench/login/", "/nl/mijn/", "/api/v1/rights-check/"):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + path, timeout=30).close()


def read_stats(path: Path) -> dict[str, Row]:
    rows = {}
    with path.open(newline="") as f:
        for record in csv.DictReader(f):
            if record["Name"] == "Aggregated":
                continue
            rows[record["Name"]] = Row(
                name=record["Name"],
                requests=int(record["Request Count"]),
                failures=int(record["Failure Count"]),
                rps=float(record["Requests/s"]),
                p50=float(record["50%"]),
                p95=float(record["95%"]),
                p99=float(record["99%"]),
            )
    return rows


def redact(url: str) -> str:
    """The database's name and host, without a password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{parts.path}" if parts.hostname else url


def print_table(rows: dict[str, Row], info: dict) -> None:
    baseline = rows.get(BASELINE)
    total = sum(r.requests for r in rows.values())
    rps = sum(r.rps for r in rows.values())
    print(
        f"bench load: {info['database']} ({info['dossiers']:,} dossiers), {info['users']} users for "
        f"{info['duration']} s, gunicorn {info['workers']} workers, 2 django-q2 workers: "
        f"{total} requests, {rps:.1f} requests/s"
    )
    print(f"{'request type':34} {'requests':>8} {'fail':>4} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}"
          f" {'p50/min':>7} {'p95/min':>7}")  # fmt: skip
    for row in sorted(rows.values(), key=lambda r: r.name):
        ratios = ""
        if baseline and baseline.p50 and baseline.p95:
            ratios = f" {row.p50 / baseline.p50:7.2f} {row.p95 / baseline.p95:7.2f}"
        print(
            f"{row.name:34} {row.requests:8d} {row.failures:4d} {row.rps:6.1f} {row.p50:6.0f} {row.p95:6.0f}"
            f" {row.p99:6.0f}{ratios}"
        )


def print_growth(first: tuple, second: tuple) -> bool:
    """Each type's p95 growth, raw and relative to the minimal view's p95 in the same run: on a shared
    machine the second run may find more or less load from elsewhere, which the minimal view feels
    as much as anything else."""
    (rows_a, info_a), (rows_b, info_b) = first, second
    print(
        f"bench load growth: p95 at {info_b['dossiers']:,} dossiers / p95 at {info_a['dossiers']:,} "
        f"(target at most {GROWTH_TARGET}); 'vs minimal': the same for p95 / minimal_50_rows's p95"
    )
    base_a, base_b = rows_a.get(BASELINE), rows_b.get(BASELINE)
    missed = []
    for name in sorted(set(rows_a) & set(rows_b)):
        a, b = rows_a[name], rows_b[name]
        if not a.p95:
            continue
        growth = b.p95 / a.p95
        relative = ""
        if base_a and base_b and base_a.p95 and base_b.p95:
            relative = f"  vs minimal {(b.p95 / base_b.p95) / (a.p95 / base_a.p95):5.2f}"
        mark = "" if growth <= GROWTH_TARGET else "  MISSED"
        if growth > GROWTH_TARGET:
            missed.append(name)
        print(f"{name:34} {a.p95:6.0f} ms -> {b.p95:6.0f} ms  growth {growth:5.2f}{relative}{mark}")
    return not missed


def prepare_main(out: str) -> None:
    """In a child process with the database's settings: prepare the people, write them to ``out``."""
    import django

    django.setup()
    from bench.load_setup import prepare

    Path(out).write_text(json.dumps(prepare(citizens=int(os.environ.get("BENCH_LOAD_CITIZENS", "300")))))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        prepare_main(sys.argv[2])
    else:
        raise SystemExit("use python -m bench --only load")
