"""A read replica (``DATABASE_REPLICA_URL``, eloket.db): the metrics' counts and the clerks' exports
read it, everything else the primary. Shown with two SQLite files, the replica a copy taken before
a change (tests/config/replica_check.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from config.databases import with_replica

ROOT = Path(__file__).resolve().parents[2]


def test_the_metrics_and_the_exports_read_the_replica_and_the_rest_the_primary(tmp_path):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "DJANGO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'primary.sqlite3'}",
        DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.config.replica_check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert (seen["primary_submissions"], seen["replica_submissions"]) == (2, 1)
    assert (seen["primary_backlog"], seen["metrics_backlog"]) == (1, 0)  # the event is not on the replica
    assert seen["export_has_before"] and not seen["export_has_after"]


def test_without_a_replica_url_there_is_only_the_primary():
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "CONN_MAX_AGE": 60}}
    assert with_replica(databases, "") == databases
    replica = with_replica(databases, "postgres://reader@db-replica:5432/eloket")["replica"]
    assert (replica["HOST"], replica["CONN_MAX_AGE"], replica["TEST"]) == (
        "db-replica",
        60,
        {"MIRROR": "default"},
    )
