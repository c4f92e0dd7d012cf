"""Which database a read goes to.

Every write, and every read a person makes around their own writes, goes to ``default`` (the
primary). Reads that tolerate a few seconds of replication lag and are never followed by a write in
the same request go to ``replica`` when ``DATABASE_REPLICA_URL`` configures one (docs/deployment.md):
the metrics' counts and the clerks' exports of their inbox. Chosen per query, not by a database router:
a router would send every read to the replica, and a citizen who just paid would see the dossier
unpaid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"


def replica() -> str:
    """The alias for a lag-tolerant, read-only query: the replica when there is one."""
    return REPLICA if REPLICA in settings.DATABASES else DEFAULT_DB_ALIAS
