"""Test helpers for the clerk side: submissions and clerks without going through the citizen's form.

A submission's ``page`` may be any Wagtail page; the root page will do where the form does not matter.
"""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Permission
from wagtail.models import Page

from eloket.models import StaffMembership
from forms.models import Submission
from tests.factories import UserFactory, totp_enrol

_keys = itertools.count(1)


def submission_make(*, organisation, dossier=None, **fields) -> Submission:
    defaults = {
        "page": Page.get_first_root_node(),
        "idempotency_key": f"test-{next(_keys)}",
        "contact_name": "Jan Janssens",
        "contact_email": "jan@example.be",
        "purpose": "question",
        "form_data": {},
    }
    if dossier is not None:
        defaults.update(
            dossier=dossier,
            dossier_kind=dossier.kind,
            municipality=dossier.municipality,
            party=dossier.party,
            plate_normalised=dossier.plate_normalised,
        )
    defaults.update(fields)
    return Submission.objects.create(organisation=organisation, **defaults)


def clerk_make(*, organisations=(), **fields):
    """A staff login in the clerks' group with memberships of ``organisations``."""
    from forms.triage import clerk_group_ensure

    user = UserFactory(is_staff=True, **fields)
    user.groups.add(clerk_group_ensure())
    for organisation in organisations:
        StaffMembership.objects.create(user=user, organisation=organisation)
    return totp_enrol(user)


def admin_access_only(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user
