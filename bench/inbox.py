"""The clerk inbox over 200,000 submissions, against the foundation's minimal 50-row view.

One organisation gets ``--submissions`` submissions about its own dossiers (``forms.scale``); a clerk
of that organisation opens the inbox filtered on status "received" and overdue, as a clerk starting
the day would. Both views are timed in-process in the same run, taking turns (see ``bench.run``).
"""

from __future__ import annotations

import sys
import time

TARGET_RATIO = 2.0
INBOX_QUERY = "?status=received&overdue=on"


def ensure_submissions(*, minimum: int) -> dict:
    """The busiest organisation's inbox holds at least ``minimum`` submissions; add them when not."""
    from django.db.models import Count

    from eloket.models import Dossier
    from forms.models import Submission
    from forms.scale import seed_submissions

    organisation_id = (
        Dossier.objects.values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")
        .values_list("organisation_id", flat=True)
        .first()
    )
    present = Submission.objects.filter(organisation_id=organisation_id).count()
    origin = "reused"
    if present < minimum:
        started = time.monotonic()
        print(f"bench: writing {minimum - present} submissions", file=sys.stdout, flush=True)
        seed_submissions(organisation_id=organisation_id, page_id=_form_page_id(), count=minimum - present)
        origin = f"generated in {time.monotonic() - started:.0f} s"
    return {
        "organisation_id": organisation_id,
        "submissions": Submission.objects.filter(organisation_id=organisation_id).count(),
        "origin": origin,
    }


def _form_page_id() -> int:
    """Submissions point at a page; the benchmark database has no page tree of its own, so the root."""
    from wagtail.models import Page

    return Page.objects.order_by("depth", "id").values_list("id", flat=True).first()


def clerk_user(*, organisation_id: int):
    from eloket.models import StaffMembership, User
    from forms.triage import clerk_group_ensure

    user, created = User.objects.get_or_create(
        username=f"bench-clerk-{organisation_id}", defaults={"is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(clerk_group_ensure())
    StaffMembership.objects.get_or_create(user=user, organisation_id=organisation_id)
    # Staff reach the admin only with TOTP set up (eloket.auth); the benchmark's clerk has the demo's.
    from eloket.demo.staff_totp import seed_staff_totp

    seed_staff_totp()
    return user


def change_one(organisation_id: int):
    """A write by another clerk, as forms.triage makes one: the inbox's cached results are stale after
    it, so the next inbox request renders them again (the cold path)."""
    from django.utils import timezone

    from forms.models import Submission

    submission = Submission.objects.filter(organisation_id=organisation_id).order_by("id").first()

    def change() -> None:
        submission.updated_at = timezone.now()
        submission.save(update_fields=["updated_at"])

    return change


def check_inbox(response) -> None:
    if response.status_code != 200 or b"eloket-inbox" not in response.content:
        raise SystemExit(f"bench: the inbox answered {response.status_code} without its table")
