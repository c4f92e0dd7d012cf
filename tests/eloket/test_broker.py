"""django-q2's broker: the database (ORM) on the embedded default, Redis when ``REDIS_URL`` is set.

Each case runs in a fresh interpreter, because django-q2 reads ``Q_CLUSTER`` once at import."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import django
django.setup()
from django_q.brokers import get_broker
from django_q.signing import SignedPackage
broker = get_broker()
print(type(broker).__name__)
if type(broker).__name__ == "Redis":
    broker.purge_queue()
    broker.enqueue(SignedPackage.dumps({"id": "probe", "func": "math.floor", "args": (1.5,)}))
    [(task_id, payload)] = broker.dequeue()
    print(SignedPackage.loads(payload)["func"])
    broker.purge_queue()
"""


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def probe(**environ) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL="sqlite:////tmp/eloket-probe.sqlite3"
    )
    env.update(environ)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_the_database_is_the_broker_by_default():
    assert probe() == ["ORM"]


def test_redis_is_the_broker_when_redis_url_is_set():
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    assert probe(REDIS_URL="redis://127.0.0.1:6379/15") == ["Redis", "math.floor"]
