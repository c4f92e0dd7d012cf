"""Run by ``test_replica.py`` in a process of its own (a database alias cannot be added to a running
Django): the primary and the replica are two SQLite files, the replica a copy of the primary taken
before a change, so that what a query returns says which one it read.

``python -m tests.config.replica_check`` prints one JSON line: what the primary and the replica hold,
and what the metrics and a clerk's export of the inbox showed.
"""

from __future__ import annotations

import json
import sqlite3


def main() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name, mail kept in memory

    from eloket.models import EventType, OutboxEvent
    from forms.models import Submission
    from tests.factories import staff_login
    from tests.forms.clerk_fixtures import _contest, _organisation
    from tests.forms.triage_helpers import clerk_make

    call_command("migrate", interactive=False, verbosity=0)
    organisation = _organisation("Replica")
    clerk = clerk_make(organisations=[organisation], username="clerk-replica")
    before = _contest(organisation, plate="1-ABC-123", reference_suffix="EERST")
    # The replica: the primary as it is now (a copy of the file, as streaming replication would give).
    primary, copy = (settings.DATABASES[alias]["NAME"] for alias in ("default", "replica"))
    with sqlite3.connect(primary) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    # Written after the copy: on the primary only, as if the replica lagged behind.
    after = _contest(organisation, plate="1-ABC-124", reference_suffix="TWEED")
    OutboxEvent.objects.create(type=EventType.DOSSIER_CREATED, organisation_id=organisation.pk)

    client = Client(REMOTE_ADDR="127.0.0.1")
    metrics = client.get("/metrics/").content.decode()
    backlog = next(line for line in metrics.splitlines() if line.startswith("eloket_outbox_backlog "))
    staff_login(client, clerk)
    response = client.get("/beheer/inzendingen/export.csv")
    assert response.status_code == 200, response.status_code
    export = b"".join(response.streaming_content).decode("utf-8-sig")
    return {
        "primary_submissions": Submission.objects.using("default").count(),
        "replica_submissions": Submission.objects.using("replica").count(),
        "primary_backlog": OutboxEvent.objects.using("default").filter(dispatched_at__isnull=True).count(),
        "metrics_backlog": float(backlog.split()[1]),
        "export_has_before": before.reference in export,
        "export_has_after": after.reference in export,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
