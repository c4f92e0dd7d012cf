"""Writes of the mail package: the citizen's mail preferences."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from eloket.models import Party, User

logger = logging.getLogger(__name__)

PREFERENCE_FIELDS = ("mail_new_dossier", "mail_updates", "mail_reminders", "mail_frequency", "language")


def party_preferences_update(
    *,
    party: Party,
    user: User,
    mail_new_dossier: bool,
    mail_updates: bool,
    mail_reminders: bool,
    mail_frequency: str,
    language: str,
) -> Party:
    """Which mails the party gets, how often and in which language; records who changed them (a user
    acting for a company is not the party). Takes effect for mails decided from now on: a mail already
    queued is sent as it was written."""
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        party.mail_new_dossier = mail_new_dossier
        party.mail_updates = mail_updates
        party.mail_reminders = mail_reminders
        party.mail_frequency = mail_frequency
        party.language = language
        party.preferences_updated_at = timezone.now()
        party.preferences_updated_by = user
        party.full_clean()
        party.save(update_fields=[*PREFERENCE_FIELDS, "preferences_updated_at", "preferences_updated_by"])
    logger.info("party_preferences_updated party=%s user=%s", party.pk, user.pk)
    return party
