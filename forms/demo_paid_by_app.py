"""The demo's contest with a near match ("I had paid by app"), waiting in the Genk clerk's inbox.

It lives with the forms app because it files a submission; the areas, the provider and the sessions
are the e-loket's demo (``eloket.demo.sessions``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from eloket.demo import _seed_dossier
from eloket.demo.sessions import CONTEST_KEY, NEAR, NEAR_PLATE, NEAR_SESSION_ID, PROVIDER_SLUG, session_seed
from eloket.models import Dossier, Municipality, Organisation, Party, Regulation, User
from eloket.sessions.near import near_matches_find
from forms.constants import ContestReason, Purpose
from forms.forms import PAID_BY_APP, PAID_BY_APP_PROVIDER
from forms.models import FormPage, Submission
from forms.services import submission_create


def seed_session_contest(*, stdout=None) -> bool | None:
    """An Peeters contests her Genk retribution in zone Z3: "I had paid by app". Her session is under
    a plate with an 8 for the B, so the clerk of OPC Genk finds it as a near match in the inbox.
    Needs the forms and the clerks (``forms.demo``, ``forms.demo_triage``); None when they are missing."""
    provider = Organisation.objects.filter(slug=PROVIDER_SLUG).first()
    user = User.objects.filter(demo_key="citizen-many").first()
    organisation = Organisation.objects.filter(slug=NEAR.organisation).first()
    page = (
        FormPage.objects.live()
        .filter(
            organisation=organisation, purpose=Purpose.CONTEST, locale__language_code=settings.LANGUAGE_CODE
        )
        .order_by("pk")
        .first()
    )
    if None in (provider, user, organisation, page):
        return None
    if Submission.objects.filter(idempotency_key=CONTEST_KEY).exists():
        return False
    party = Party.objects.get(representations__user=user, kind="person")
    organisations = {organisation.slug: organisation}
    municipalities = {"genk": Municipality.objects.get(slug=NEAR.municipality)}
    regulations = {NEAR.regulation: Regulation.objects.get(organisation=organisation, code=NEAR.regulation)}
    _seed_dossier(NEAR, party, organisations, municipalities, regulations)
    dossier = Dossier.objects.get(organisation=organisation, external_id=f"DEMO-{NEAR.key}")
    start = dossier.occurred_at.replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    session_seed(
        provider, NEAR_SESSION_ID, "71016", "Z3", NEAR_PLATE, start, start + dt.timedelta(minutes=60), 200,
        "citizen-many", session_id=NEAR_SESSION_ID,
    )  # fmt: skip
    submission_create(
        page=page,
        idempotency_key=CONTEST_KEY,
        form_data={PAID_BY_APP: True, PAID_BY_APP_PROVIDER: provider.name_nl},
        message=(
            "Ik had betaald via de app van Demo Mobiel Parkeren, van voor de vaststelling tot een uur "
            "later. Misschien heb ik mijn nummerplaat verkeerd ingetikt."
        ),
        contest_reason=ContestReason.VALID_SESSION,
        dossier=dossier,
        party=party,
        user=user,
        language="nl",
    )
    found = near_matches_find(dossier=dossier)
    if stdout is not None:
        stdout.write(f"sessions: contest with {len(found)} near match(es) for the Genk clerk")
    return True
