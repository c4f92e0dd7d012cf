"""``/health/`` and ``/ready/`` for the load balancer and the orchestrator.

- liveness (``/health/``): the process answers; no database, no broker. A failing liveness probe
  restarts the process, so it must not fail because a dependency is down.
- readiness (``/ready/``): the database (every configured alias), the task broker (Redis when it is
  the broker, else the ORM broker's table) and the private storage (a small file written, read back and
  deleted). Any failing check makes it 503, so the load balancer stops sending traffic.

The body is JSON with one entry per check: its status, its duration and, on failure, the exception's
class name only (never its message, which may carry host names or credentials). Nothing personal.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

READY_PROBE_PREFIX = "eloket-ready-probe/"
READY_PROBE_CONTENT = b"ok"


class CheckFailed(Exception):
    """A dependency answered, but not as it should (e.g. storage gave back other bytes)."""


def check_database() -> None:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()


def check_broker() -> None:
    """Read from ``settings.Q_CLUSTER`` on each call (not django-q's import-time ``Conf``)."""
    cluster = settings.Q_CLUSTER
    if cluster.get("redis"):
        import redis

        url = cluster["redis"] if isinstance(cluster["redis"], str) else None
        client = (
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            if url
            else redis.Redis(**cluster["redis"], socket_connect_timeout=2, socket_timeout=2)
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    from django_q.models import OrmQ

    OrmQ.objects.using(cluster.get("orm", "default")).exists()


def check_storage() -> None:
    storage = storages["private"]
    name = storage.save(f"{READY_PROBE_PREFIX}{uuid.uuid4().hex}", ContentFile(READY_PROBE_CONTENT))
    try:
        with storage.open(name, "rb") as handle:
            if handle.read() != READY_PROBE_CONTENT:
                raise CheckFailed("the probe file came back different")
    finally:
        storage.delete(name)


READY_CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks(checks: dict[str, Callable[[], None]]) -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:
            # Any failure of a dependency means "not ready": reported in the answer and logged.
            results[name] = {"status": "fail", "error": type(error).__name__}
            logger.warning("ready_check_failed check=%s error=%s", name, type(error).__name__)
        else:
            results[name] = {"status": "ok"}
        results[name]["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(r["status"] == "ok" for r in results.values()), results


def _json(payload: dict, status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def health(request: HttpRequest) -> JsonResponse:
    return _json({"status": "ok"}, 200)


def ready(request: HttpRequest) -> JsonResponse:
    ok, results = run_checks(READY_CHECKS)
    return _json({"status": "ok" if ok else "fail", "checks": results}, 200 if ok else 503)
