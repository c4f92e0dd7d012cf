"""Periodic jobs, declared in code: ``schedules_ensure`` writes django-q2's Schedule rows so that every
installation runs the same jobs at the configured interval. Called after ``migrate`` (post_migrate,
``eloket.apps``): a fresh database, a deploy or a changed interval all end with the right rows."""

from __future__ import annotations

from django.conf import settings

RECONCILE = "eloket.payments.reconcile"


def schedules_ensure(*, using: str = "default", **_kwargs) -> None:
    from django.db import connections
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return  # django_q not migrated (yet) on this database
    Schedule.objects.using(using).update_or_create(
        name=RECONCILE,
        defaults={
            "func": "eloket.payments.tasks.payments_reconcile",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.PAYMENT_RECONCILE_EVERY_MINUTES,
            "repeats": -1,
        },
    )
