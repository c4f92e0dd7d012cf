"""Parties with a verified address, their dossiers and the events the mail tests share."""

from __future__ import annotations

import pytest
from django.db import transaction

from eloket.constants import MailFrequency
from eloket.models import Party
from eloket.outbox import outbox_dispatch, outbox_emit
from tests.factories import DossierFactory, OrganisationFactory, enterprise_party, person_party


def party_with_address(
    *,
    name: str = "An Peeters",
    email: str = "an.peeters@example.be",
    verified: bool = True,
    language: str = "nl",
    enterprise: bool = False,
    **preferences,
) -> Party:
    """A party whose address the identity provider confirmed (the login writes these fields)."""
    party = enterprise_party(name=name) if enterprise else person_party(name=name)
    Party.objects.filter(pk=party.pk).update(
        email=email, email_verified=verified, language=language, **preferences
    )
    party.refresh_from_db()
    return party


def emit(event_type: str, dossier, **data):
    with transaction.atomic():
        return outbox_emit(
            type=event_type, organisation_id=dossier.organisation_id, dossier=dossier, data=data
        )


def dispatch(capture) -> int:
    """Dispatch the outbox as the worker would; the sending tasks run when the batch commits."""
    with capture(execute=True):
        return outbox_dispatch()


@pytest.fixture
def organisation():
    return OrganisationFactory(name_nl="Stad Genk", name_fr="Ville de Genk", account_holder="Stad Genk")


@pytest.fixture
def citizen():
    return party_with_address()


@pytest.fixture
def daily_citizen():
    return party_with_address(name="Bart Claes", email="bart@example.be", mail_frequency=MailFrequency.DAILY)


@pytest.fixture
def make_dossier(organisation):
    def make(party, **kwargs):
        kwargs.setdefault("notified", True)
        return DossierFactory(party=party, organisation=organisation, **kwargs)

    return make
