"""Writes of the login: the parties and representations an ACM/IDM login stands for, the contact
address it brings, and its confirmation by the citizen."""

from __future__ import annotations

import logging

from django.db import transaction

from eloket.auth.claims import Identity
from eloket.constants import RepresentationRole
from eloket.models import Party, Representation, User
from eloket.services import party_get_or_create, representation_add

logger = logging.getLogger(__name__)


@transaction.atomic
def citizen_login_record(*, user: User, identity: Identity) -> Party:
    """After an ACM/IDM login: the person's party (found by the hash of the national number) and, for a
    login in the capacity of an enterprise (EA + KBO), the enterprise's party.

    The login's capacities are the truth: a login may act for the enterprise it logged in for, and no
    longer for an enterprise of an earlier login (a mandate may have been withdrawn since).
    """
    if identity.person is None:
        raise ValueError("a citizen login needs a national register number")
    person, _created = party_get_or_create(
        identifier=identity.person,
        display_name=identity.display_name or identity.person.masked,
        email=identity.email,
    )
    contact_address_offer(party=person, email=identity.email)
    representation_add(user=user, party=person, role=RepresentationRole.SELF)
    enterprise = None
    if identity.enterprise is not None:
        enterprise, _created = party_get_or_create(
            identifier=identity.enterprise,
            display_name=identity.enterprise_name or identity.enterprise.masked,
        )
        representation_add(user=user, party=enterprise, role=RepresentationRole.MANDATED)
    withdrawn = Representation.objects.filter(user=user).exclude(role=RepresentationRole.SELF)
    if enterprise is not None:
        withdrawn = withdrawn.exclude(party=enterprise)
    count, _ = withdrawn.delete()
    logger.info(
        "citizen_login user=%s party=%s enterprise=%s withdrawn=%s",
        user.pk,
        person.pk,
        enterprise.pk if enterprise else None,
        count,
    )
    return person


def contact_address_offer(*, party: Party, email: str) -> None:
    """The government login's e-mail address becomes the party's contact address, unverified, unless
    the citizen already confirmed an address in the e-loket (that one stays)."""
    if not email or party.email == email or (party.email and party.email_verified):
        return
    party.email = email
    party.email_verified = False
    party.save(update_fields=["email", "email_verified"])


@transaction.atomic
def contact_address_confirm(*, party: Party, email: str) -> bool:
    """The citizen confirmed the address (through the link mailed to it); False when it changed since."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.email != email:
        return False
    if not party.email_verified:
        party.email_verified = True
        party.save(update_fields=["email_verified"])
        logger.info("contact_address_confirmed party=%s", party.pk)
    return True
