"""SMTP servers that misbehave on purpose, and a worker process to kill, for the exactly-once tests.

``StallingSink`` holds one message before answering its DATA (the client waits for the acceptance
that never comes), or accepts it and then calls a hook before answering (the test takes a database
lock there, so the worker is caught between the server's acceptance and its own "sent"). A message
whose client vanished before the answer is dropped, as a real server drops a transaction it could not
confirm (RFC 5321 §4.1.1.4: the server takes responsibility only with its reply to DATA).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.mail_sink import MailSink

REPO = Path(__file__).resolve().parents[3]
_PROJECT_PREFIXES = ("DJANGO_", "ELOKET_", "DATABASE_", "Q_", "EMAIL_", "IDENTIFIER_HASH_KEY", "PGAPPNAME")
WORKER_APP = "eloket-mail-test-worker"


@dataclass
class StallingSink(MailSink):
    stall: str = ""  # "" | "before_acceptance" | "after_acceptance"
    on_accept: Callable[[], None] | None = None
    stalled: threading.Event = field(default_factory=threading.Event)
    dropped: int = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        if self.stall == "before_acceptance" and not self.stalled.is_set():
            self.stalled.set()
            try:
                while True:
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:  # the client is gone: nothing was accepted
                self.dropped += 1
                raise
        reply = await super().handle_DATA(server, session, envelope)
        if self.stall == "after_acceptance" and not self.stalled.is_set():
            if self.on_accept is not None:
                self.on_accept()
            self.stalled.set()
        return reply

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)


@dataclass
class WorkerDatabase:
    """The test's database as another process sees it: PostgreSQL's test database itself, or for
    SQLite (whose test database lives in memory) a file copy of it made after the test wrote its rows."""

    url: str
    path: Path | None = None

    @classmethod
    def of_test(cls, tmp_path: Path) -> WorkerDatabase:
        from django.db import connection

        if connection.vendor == "sqlite":
            path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(path) as target:
                connection.connection.backup(target)
            return cls(url=f"sqlite:///{path}", path=path)
        s = connection.settings_dict
        return cls(url=f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")

    def row(self, notification_id: int) -> tuple[str, int]:
        """(status, attempts) of an outbox row, as committed."""
        if self.path is not None:
            with sqlite3.connect(self.path) as db:
                return db.execute(
                    "SELECT status, attempts FROM eloket_notification WHERE id = ?", [notification_id]
                ).fetchone()
        from eloket.models import Notification

        return tuple(Notification.objects.filter(pk=notification_id).values_list("status", "attempts").get())

    def hold_write_lock(self, notification_id: int) -> Callable[[], None]:
        """Block writes to the row (SQLite: the whole file) until the returned function is called."""
        if self.path is not None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            db = psycopg.connect(self.url.replace("postgres://", "postgresql://"))
            db.execute("SELECT 1 FROM eloket_notification WHERE id = %s FOR UPDATE", [notification_id])

        def release() -> None:
            if self.path is None:
                # The killed worker's UPDATE may still wait for this lock in its server process: end
                # that backend, as if the statement had never left the dead client.
                db.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    [WORKER_APP],
                )
            db.rollback()
            db.close()

        return release


def worker_environment(*, database: WorkerDatabase, smtp_port: int) -> dict[str, str]:
    """The dev settings (as ``make demo`` runs the worker) on the test's database, real SMTP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PROJECT_PREFIXES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": database.url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "60",
            "Q_SYNC": "true",
            "PGAPPNAME": WORKER_APP,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


WORKER = """
import sys, django
django.setup()
from eloket.tasks import notification_send
print(notification_send(int(sys.argv[1])), flush=True)
"""

RECOVERY = """
import datetime as dt, django
django.setup()
from django.conf import settings
from django.utils import timezone
from eloket.mail.sending import notifications_recover
later = timezone.now() + dt.timedelta(minutes=settings.MAIL_SENDING_TIMEOUT_MINUTES + 1)
print(notifications_recover(now=later), flush=True)
"""


def start_worker(notification_id: int, *, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(notification_id)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_recovery(*, env: dict[str, str]) -> str:
    """The schedule's recovery job, run after the sending timeout, in a worker process of its own."""
    result = subprocess.run(
        [sys.executable, "-c", RECOVERY], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()
