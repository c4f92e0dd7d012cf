"""Letters by post for parties who are not (yet) digital (docs/letters.md).

- ``PostalAddress``: where the letter for one dossier goes, as the city system found it (the plate
  holder's address in the vehicle register at the time of the facts). A dossier without one gets no
  letter; the daily batch names it as skipped.
- ``LetterText``: an organisation's own wording of a letter (per regulation or for all of its
  regulations, per kind and language). The legal mentions are not editable: they come from the
  dossier's policy.
- ``LetterBatch``: one organisation's letters of one day, for the print house.
- ``Letter``: one PDF for one dossier at one step (the notification, the reminder); unique per dossier
  and step, so nothing is sent twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import Language
from eloket.models.dossiers import Dossier, private_storage
from eloket.models.organisations import Organisation, Regulation


class LetterKind(models.TextChoices):
    # The first letter: for GAS the notification with the invitation to pay, for a retribution the
    # invoice. It moves the dossier from "issued" to "notified".
    NOTIFICATION = "notification", _("Kennisgeving of factuur")
    REMINDER = "reminder", _("Herinnering")


class PostalAddress(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="postal_address")
    name = models.CharField(_("naam"), max_length=200)
    street = models.CharField(_("straat en nummer"), max_length=200)
    postal_code = models.CharField(_("postcode"), max_length=16)
    town = models.CharField(_("gemeente"), max_length=100)
    country = models.CharField(_("land"), max_length=2, default="BE")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("postadres")
        verbose_name_plural = _("postadressen")

    def __str__(self) -> str:
        return f"{self.postal_code} {self.town}"

    def lines(self) -> list[str]:
        lines = [self.name, self.street, f"{self.postal_code} {self.town}"]
        if self.country != "BE":
            lines.append(self.country)
        return lines


class LetterText(models.Model):
    """What a city says in its own words at the top and the bottom of a letter; the facts, amounts,
    legal mentions, payment data and the invitation to go online are always added by the e-loket."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="letter_texts", verbose_name=_("organisatie")
    )
    regulation = models.ForeignKey(
        Regulation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letter_texts",
        verbose_name=_("reglement"),
        help_text=_("Leeg: voor alle reglementen van de organisatie."),
    )
    kind = models.CharField(_("soort brief"), max_length=16, choices=LetterKind.choices)
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices)
    opening = models.TextField(_("aanhef en inleiding"), max_length=2000)
    closing = models.TextField(_("slot"), max_length=2000, blank=True)
    signatory = models.CharField(_("ondertekenaar"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("brieftekst")
        verbose_name_plural = _("briefteksten")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "regulation", "kind", "language"],
                name="letter_text_one_per_regulation",
            ),
            # "For all regulations" (no regulation) once per organisation, kind and language too; a
            # partial index, which SQLite and PostgreSQL both have (NULLS NOT DISTINCT is PG 15 only).
            models.UniqueConstraint(
                fields=["organisation", "kind", "language"],
                condition=models.Q(regulation__isnull=True),
                name="letter_text_one_for_all_regulations",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class LetterBatch(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="letter_batches", verbose_name=_("organisatie")
    )
    day = models.DateField(_("verzenddatum"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Dossiers that were due a letter but could not get one (no postal address), by reference.
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("briefbatch")
        verbose_name_plural = _("briefbatches")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="letter_batch_one_per_day"),
        ]
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.day:%Y-%m-%d}"


def letter_upload_to(letter: Letter, filename: str) -> str:
    return f"letters/{letter.batch.organisation_id}/{letter.batch.day:%Y/%m/%d}/{filename}"


class Letter(models.Model):
    batch = models.ForeignKey(LetterBatch, on_delete=models.CASCADE, related_name="letters")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("soort brief"), max_length=16, choices=LetterKind.choices)
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices)
    file = models.FileField(storage=private_storage, upload_to=letter_upload_to)
    pages = models.PositiveSmallIntegerField(default=1)
    amount_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brief")
        verbose_name_plural = _("brieven")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind"], name="letter_once_per_dossier_and_kind"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier_id}"
