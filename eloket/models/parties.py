"""Who is liable (Party) and who may act for them (Representation of a login User).

A party is found by the keyed hash of its national register or enterprise number; the number itself
is not stored (see ``eloket.identifiers``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import Language, MailFrequency, PartyKind, RepresentationRole


class User(AbstractUser):
    """A login: a citizen (through the government login, or the demo login) or a staff member."""

    demo_key = models.SlugField(_("demo-identiteit"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")


class Party(models.Model):
    kind = models.CharField(_("soort"), max_length=16, choices=PartyKind.choices)
    identifier_hash = models.CharField(max_length=64, unique=True, editable=False)
    identifier_masked = models.CharField(_("identificatienummer"), max_length=20, editable=False)
    establishment_unit = models.CharField(_("vestigingseenheid"), max_length=10, blank=True)
    display_name = models.CharField(_("naam"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    email_verified = models.BooleanField(_("e-mail bevestigd"), default=False)
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices, default=Language.NL)
    # Which mails the party wants (the preferences page, eloket.mail); who changed them last.
    mail_new_dossier = models.BooleanField(_("e-mail bij een nieuw dossier"), default=True)
    mail_updates = models.BooleanField(_("e-mail als er iets verandert"), default=True)
    mail_reminders = models.BooleanField(_("herinnering voor een termijn afloopt"), default=True)
    mail_frequency = models.CharField(
        _("hoe vaak"), max_length=8, choices=MailFrequency.choices, default=MailFrequency.AUTO
    )
    preferences_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    preferences_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partij")
        verbose_name_plural = _("partijen")

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_enterprise(self) -> bool:
        return self.kind == PartyKind.ENTERPRISE

    @property
    def mails_daily(self) -> bool:
        """One digest a day instead of a mail each: chosen, or by default for companies."""
        if self.mail_frequency == MailFrequency.AUTO:
            return self.is_enterprise
        return self.mail_frequency == MailFrequency.DAILY


class Representation(models.Model):
    """A login may act as a party: as itself, or for a company it represents."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations"
    )
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="representations")
    role = models.CharField(_("hoedanigheid"), max_length=32, choices=RepresentationRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vertegenwoordiging")
        verbose_name_plural = _("vertegenwoordigingen")
        constraints = [
            models.UniqueConstraint(fields=["user", "party"], name="representation_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(role="self"), name="representation_one_self_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.party_id} ({self.role})"
