"""The read replica's connection (``DATABASE_REPLICA_URL``), next to the primary's (``eloket.db``)."""

from __future__ import annotations

import environ


def with_replica(databases: dict, url: str) -> dict:
    """``databases`` plus ``replica`` at ``url`` with the primary's connection settings (kept
    connections, health checks, options); in tests the replica is the primary (``MIRROR``)."""
    if not url:
        return databases
    primary = databases["default"]
    replica = environ.Env.db_url_config(url)
    for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if key in primary:
            replica[key] = primary[key]
    replica["TEST"] = {"MIRROR": "default"}
    return {**databases, "replica": replica}
