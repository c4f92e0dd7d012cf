"""Fixtures of the fault tests: a throwaway PostgreSQL cluster for the whole session (migrated once
into a template database that each test copies), a Redis of each test's own, and the application's
processes (``tests.faults.servers.App``), all on loopback and free ports.

The shared PostgreSQL on 5432 and Redis on 6379 are never used here: these tests stop, crash and kill
their servers. Without the PostgreSQL 15 binaries or ``redis-server`` the tests are skipped with the
reason, except in CI (``CI=true``), where that is an error.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.eloket.payments import conftest as payments
from tests.eloket.webhooks.conftest import Receiver
from tests.faults.servers import PG_BIN, REPO, App, Postgres, Redis, binaries_missing

# The payment tests' fixtures (the Stripe stand-in in a thread, a citizen with a payable dossier).
stripe_standin = payments.stripe_standin
organisation = payments.organisation
citizen = payments.citizen
dossier = payments.dossier
citizen_client = payments.citizen_client

TEMPLATE = "eloket_faults_template"


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    missing = binaries_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the fault tests' servers are missing: {', '.join(missing)}")
        pytest.skip(
            f"fault tests need PostgreSQL 15 binaries and redis-server; missing: {', '.join(missing)}"
        )
    # Not under pytest's temporary folder: that is private to the user running pytest (root in CI),
    # and the server runs as "postgres" there.
    cluster = Postgres(root=Path(tempfile.mkdtemp(prefix="eloket-faults-pg-")))
    cluster.init()
    cluster.start()
    yield cluster
    cluster.remove()


@pytest.fixture(scope="session")
def template_database(postgres, tmp_path_factory) -> str:
    """The schema migrated once (Wagtail's migrations take 20 s to minutes on a busy machine); tests
    copy it in milliseconds. The migrated schema is also kept as a dump in ``var/faults/``, keyed on
    every migration file and installed package, so that the next run restores it in seconds."""
    postgres.query(f'CREATE DATABASE "{TEMPLATE}"')
    dump = REPO / "var" / "faults" / f"template-{_schema_key()}.dump"
    if dump.exists():
        restored = subprocess.run(
            [str(PG_BIN / "pg_restore"), "--no-owner", "-d", postgres.url(TEMPLATE), str(dump)],
            capture_output=True,
            text=True,
        )
        if restored.returncode == 0:
            return TEMPLATE
        postgres.query(f'DROP DATABASE "{TEMPLATE}" WITH (FORCE)')  # a damaged dump: migrate instead
        postgres.query(f'CREATE DATABASE "{TEMPLATE}"')
    app = App.configure(tmp_path_factory.mktemp("faults-migrate"), DATABASE_URL=postgres.url(TEMPLATE))
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=REPO,
        env=app.environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    # The schedules written by migrate run when the scheduler gets to them; the tests enqueue the jobs
    # they need themselves, so that nothing runs at a moment the test did not choose.
    postgres.query("DELETE FROM django_q_schedule", database=TEMPLATE)
    dump.parent.mkdir(parents=True, exist_ok=True)
    for old in dump.parent.glob("template-*.dump"):
        old.unlink()
    partial = dump.with_suffix(".partial")
    subprocess.run(
        [str(PG_BIN / "pg_dump"), "-Fc", "-f", str(partial), postgres.url(TEMPLATE)],
        check=True,
        capture_output=True,
    )
    partial.rename(dump)
    return TEMPLATE


def _schema_key() -> str:
    """What the migrated schema depends on: our migration files and every installed distribution."""
    digest = hashlib.sha256()
    for path in sorted(REPO.glob("*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for distribution in sorted(importlib.metadata.distributions(), key=lambda d: d.metadata["Name"] or ""):
        digest.update(f"{distribution.metadata['Name']}=={distribution.version}".encode())
    return digest.hexdigest()[:16]


@pytest.fixture
def database(request, postgres, template_database) -> str:
    """A fresh copy of the migrated template for this test; its URL."""
    name = "faults_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    url = postgres.clone(template_database, name)
    yield url
    postgres.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis(postgres):
    server = Redis().start()
    yield server
    server.kill()


@pytest.fixture
def app_factory(tmp_path):
    """``make(**settings)``: the application's processes configured with these environment variables
    on top of ``servers.BASE_ENV``; every process is stopped (killed if need be) after the test."""
    apps: list[App] = []

    def make(**settings) -> App:
        app = App.configure(tmp_path / f"app{len(apps)}", **settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.stop_all()


@pytest.fixture
def app_on_services(app_factory, database, redis):
    """``make(smtp_port=…, **settings)``: the application on this test's database, its Redis (the broker
    in database 0, the cache in 1) and an SMTP server, plus ``settings``."""

    def make(*, smtp_port: int, **settings) -> App:
        return app_factory(
            DATABASE_URL=database,
            REDIS_URL=redis.url(0),
            CACHE_URL=redis.url(1),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp_port,
            **settings,
        )

    return make


@pytest.fixture
def receiver():
    """A webhook endpoint of an organisation's system, counting what it receives."""
    running = Receiver()
    yield running
    running.stop()
