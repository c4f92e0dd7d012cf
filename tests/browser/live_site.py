"""The site under test: its own database, seeded with the demo, served by `manage.py runserver`.

Not pytest-django's live_server: that one flushes the database after every test, which wipes Wagtail's
page tree (and the seeded pages with it). Here the database is prepared once per session and the server
runs in a subprocess with the dev settings and demo mode, the way `make demo` runs it.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
# What the pytest process put into the environment (test settings defaults, DATABASE_URL …) must not
# leak into the server: it gets the dev defaults plus the values set in `server_environment`.
_PROJECT_PREFIXES = ("DJANGO_", "ELOKET_", "DATABASE_", "Q_", "EMAIL_", "IDENTIFIER_HASH_KEY")
READY_PATH = "/nl/aanmelden/demo/"
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class BrowserDatabase:
    """A database for the browser tests only: a SQLite file, or `<name>_browser` on PostgreSQL."""

    url: str
    postgres_name: str | None = None
    admin_url: str | None = None

    @classmethod
    def for_environment(cls, *, workdir: Path) -> BrowserDatabase:
        source = os.environ.get("DATABASE_URL", "")
        scheme = urlsplit(source).scheme
        if scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
            return cls(url=f"sqlite:///{workdir / 'browser.sqlite3'}")
        parts = urlsplit(source)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one database per xdist worker
        name = f"{parts.path.lstrip('/') or 'eloket'}_browser{'_' + worker if worker else ''}"
        return cls(
            url=urlunsplit(parts._replace(path=f"/{name}")),
            postgres_name=name,
            admin_url=urlunsplit(parts._replace(scheme="postgresql", path="/postgres")),
        )

    def create(self) -> None:
        """Start from an empty database: a left-over one from an interrupted run is dropped first."""
        if self.postgres_name:
            self._postgres("DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")

    def drop(self) -> None:
        if self.postgres_name:
            self._postgres("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def _postgres(self, *statements: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(sql.SQL(statement).format(sql.Identifier(self.postgres_name)))


@dataclass
class LiveSite:
    url: str
    process: subprocess.Popen
    log_path: Path
    worker: subprocess.Popen | None = None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        for process in (self.process, self.worker):
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def server_environment(*, database: BrowserDatabase, workdir: Path, smtp_port: int) -> dict[str, str]:
    """Dev settings on the test's database; mail leaves over SMTP to the test's server (tests.mail_sink),
    sent by a django-q2 worker beside the web server, as in ``make demo`` and production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PROJECT_PREFIXES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "ELOKET_DEMO_MODE": "true",
            "DATABASE_URL": database.url,
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "ELOKET_PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "Q_SYNC": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args, "--skip-checks"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def payment_environment(*, site_port: int, standin_port: int) -> dict[str, str]:
    """Online payments against a Stripe stand-in of the session's own, as `make serve` runs them."""
    standin = f"http://127.0.0.1:{standin_port}"
    return {
        "ELOKET_SITE_URL": f"http://127.0.0.1:{site_port}",
        "ELOKET_ONLINE_PAYMENTS": "true",
        "STRIPE_API_BASE": standin,
        "STRIPE_CHECKOUT_ORIGIN": standin,
    }


def start_standin(*, port: int, site_port: int, env: dict[str, str], workdir: Path) -> subprocess.Popen:
    """`python -m eloket.payments.standin`, its signed webhooks going to the live site."""
    log = (workdir / "standin.log").open("w")
    webhook_url = f"http://127.0.0.1:{site_port}/betalingen/webhook/stripe/"
    command = [
        sys.executable,
        "-m",
        "eloket.payments.standin",
        "--port",
        str(port),
        "--webhook-url",
        webhook_url,
    ]
    process = subprocess.Popen(
        [*command, "--async-delay", "1", "--refund-delay", "1"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)  # polling while the stand-in starts, not an assertion
    process.kill()
    raise RuntimeError("the Stripe stand-in did not start")


def start_server(*, env: dict[str, str], workdir: Path, port: int | None = None) -> LiveSite:
    port = port or free_port()
    log_path = workdir / "runserver.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    site = LiveSite(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path, worker=worker)
    try:
        _wait_until_ready(site, port=port)
    except BaseException:
        site.stop()
        raise
    return site


def _wait_until_ready(site: LiveSite, *, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            raise RuntimeError(f"runserver exited with {site.process.returncode}:\n{site.log_tail()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", READY_PATH)
            status = connection.getresponse().status
            connection.close()
        except OSError:
            status = None
        if status == 200:
            return
        time.sleep(0.2)  # polling interval while the server starts, not an assertion
    raise RuntimeError(f"runserver did not answer {READY_PATH} within {START_TIMEOUT_S}s:\n{site.log_tail()}")
