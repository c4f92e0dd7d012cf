"""Periodic jobs, declared in code (STYLE 7): ``schedules_ensure`` writes django-q2's Schedule rows so
that every installation runs the same jobs at the configured interval. Called after ``migrate``
(post_migrate, ``eloket.apps``): a fresh database, a deploy or a changed interval all end with the
right rows. A job is a name, the task's dotted path and its interval in minutes (from settings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    minutes_setting: str = ""
    # A daily job instead: the local hour it runs at (the next one from when the schedule is written).
    daily_at_hour: int | None = None


JOBS: tuple[Job, ...] = (
    Job(
        "eloket.payments.reconcile",
        "eloket.payments.tasks.payments_reconcile",
        "PAYMENT_RECONCILE_EVERY_MINUTES",
    ),
    # The outbox is also poked after every commit that writes to it; the schedule catches what a
    # crashed worker or a lost poke left behind.
    Job("eloket.outbox.dispatch", "eloket.outbox.outbox_dispatch", "OUTBOX_DISPATCH_EVERY_MINUTES"),
    # E-mail (eloket.mail): what a dead worker left in "sending", lost and failed mails; and, from
    # MAIL_DAILY_HOUR on, the daily digests and deadline reminders (each once a day, by key).
    Job("eloket.mail.recover", "eloket.mail.tasks.notifications_recover", "MAIL_RECOVER_EVERY_MINUTES"),
    Job("eloket.mail.daily", "eloket.mail.tasks.mail_daily", "MAIL_DAILY_EVERY_MINUTES"),
    # Webhook retries when due, and deliveries whose worker died mid-send (eloket.webhooks.delivery).
    Job("eloket.webhooks.retry", "eloket.webhooks.tasks.webhooks_retry", "WEBHOOK_RETRY_EVERY_MINUTES"),
    # Mijn Burgerprofiel announcements: retries when due, and rows a dead worker left (eloket.profile).
    Job("eloket.profile.retry", "eloket.profile.tasks.announcements_retry", "PROFILE_RETRY_EVERY_MINUTES"),
    # Letters by post (docs/letters.md): each organisation's batch of the day, topped up every run
    # with what became due since (a run stops taking dossiers after its time budget).
    Job("eloket.letters.batch", "eloket.letters.services.letters_nightly", "LETTERS_EVERY_MINUTES"),
    # Retention (docs/retention.md): every night at 03:00, when the sites are quiet.
    Job("eloket.retention.nightly", "eloket.tasks.retention_nightly", daily_at_hour=3),
)


def _next_run(hour: int) -> dt.datetime:
    from django.utils import timezone

    now = timezone.localtime()
    run = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def schedules_ensure(*, using: str = "default", **_kwargs) -> None:
    from django.db import connections
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return  # django_q not migrated (yet) on this database
    for job in JOBS:
        if job.daily_at_hour is not None:
            defaults = {
                "schedule_type": Schedule.DAILY,
                "minutes": None,
                "next_run": _next_run(job.daily_at_hour),
            }
        else:
            defaults = {"schedule_type": Schedule.MINUTES, "minutes": getattr(settings, job.minutes_setting)}
        Schedule.objects.using(using).update_or_create(
            name=job.name, defaults={"func": job.func, "repeats": -1, **defaults}
        )
