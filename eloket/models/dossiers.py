"""One table for every kind of dossier; what differs per kind lives in ``eloket.policies``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from eloket.constants import VOID_STATUSES, DossierKind, DossierStatus, Language, TimelineEventKind, labels
from eloket.models.organisations import Municipality, Organisation, Regulation
from eloket.models.parties import Party
from eloket.ogm import ogm_validate


def overview_date() -> Coalesce:
    """The date the overview shows in its "Datum" column, and sorts on: when the facts took place (an
    offence), when the validity starts (a permit), else when the dossier came in. ``created_at`` alone
    is when the city's system sent it: sorted on that, a city's batch of permits and its next batch of
    fines came out grouped by kind, and a fine of 2025 sent late stood between those of 2026."""
    return Coalesce("occurred_at", "valid_from", "created_at")


class Dossier(models.Model):
    kind = models.CharField(_("soort"), max_length=32, choices=DossierKind.choices)
    status = models.CharField(_("status"), max_length=32, choices=DossierStatus.choices)
    reference = models.CharField(_("referentie"), max_length=32, unique=True)
    external_id = models.CharField(_("extern id"), max_length=100)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="dossiers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="dossiers")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="dossiers")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, null=True, blank=True)
    language = models.CharField(_("taal van de brief"), max_length=2, choices=Language.choices, default="nl")

    # Vehicle and place
    plate = models.CharField(_("nummerplaat"), max_length=16, blank=True)
    plate_normalised = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    extra_plates = models.JSONField(_("bijkomende nummerplaten"), default=list, blank=True)
    street = models.CharField(_("straat"), max_length=200, blank=True)
    street_key = models.CharField(max_length=200, blank=True, editable=False)  # eloket.places.street_key
    house_number = models.CharField(_("huisnummer"), max_length=16, blank=True)
    zone_code = models.CharField(_("zone"), max_length=32, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    # Offences: when; permits: validity
    occurred_at = models.DateTimeField(_("tijdstip van de feiten"), null=True, blank=True)
    valid_from = models.DateTimeField(_("geldig vanaf"), null=True, blank=True)
    valid_until = models.DateTimeField(_("geldig tot"), null=True, blank=True)

    # Legal basis
    offence_code = models.CharField(_("code overtreding"), max_length=32, blank=True)
    offence_description = models.CharField(_("omschrijving"), max_length=255, blank=True)
    gas_category = models.PositiveSmallIntegerField(_("GAS-categorie"), null=True, blank=True)
    speed_limit_kmh = models.PositiveSmallIntegerField(_("snelheidsbeperking"), null=True, blank=True)
    measured_speed_kmh = models.PositiveSmallIntegerField(_("gecorrigeerde snelheid"), null=True, blank=True)
    built_up_area = models.BooleanField(_("binnen de bebouwde kom"), null=True, blank=True)

    # Money, in cents
    amount_original_cents = models.PositiveIntegerField(_("oorspronkelijk bedrag"), default=0)
    costs_cents = models.PositiveIntegerField(_("kosten"), default=0)
    amount_paid_cents = models.PositiveIntegerField(_("betaald"), default=0)
    ogm = models.CharField(_("gestructureerde mededeling"), max_length=12, unique=True, null=True, blank=True)

    # Deadlines
    pay_by = models.DateField(_("te betalen voor"), null=True, blank=True)
    contest_by = models.DateField(_("bezwaar of verweer voor"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="dossier_external_id_unique_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    amount_paid_cents__lte=models.F("amount_original_cents") + models.F("costs_cents")
                ),
                name="dossier_not_overpaid",
            ),
        ]
        indexes = [
            # The citizen's overview: all dossiers of one party, newest first by the date it shows
            # (docs/architecture.md, docs/performance.md). The expression is the selector's, as is.
            models.Index(F("party"), overview_date().desc(), F("id").desc(), name="dossier_party_overview"),
            models.Index(fields=["party", "status"], name="dossier_party_status"),
            models.Index(fields=["organisation", "status"], name="dossier_org_status"),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.ogm:
            try:
                self.ogm = ogm_validate(self.ogm)
            except ValidationError as error:
                raise ValidationError({"ogm": error.messages}) from None
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("Het einde van de geldigheid ligt voor het begin.")})

    # Cheaper than get_kind_display()/get_status_display(), which rebuild the choice dict per call
    # (measured: the largest cost of rendering the overview, docs/performance.md).
    @property
    def kind_label(self) -> str:
        return labels(DossierKind)[self.kind]

    @property
    def status_label(self) -> str:
        return labels(DossierStatus)[self.status]

    @property
    def amount_due_cents(self) -> int:
        if self.status in VOID_STATUSES:
            return 0
        return max(self.amount_original_cents + self.costs_cents - self.amount_paid_cents, 0)

    @property
    def policy(self):
        from eloket.policies import policy_for

        return policy_for(self.kind)


class TimelineEvent(models.Model):
    """Append-only: an event is written once and never changed or deleted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("gebeurtenis"), max_length=32, choices=TimelineEventKind.choices)
    status_from = models.CharField(max_length=32, choices=DossierStatus.choices, blank=True)
    status_to = models.CharField(max_length=32, choices=DossierStatus.choices, blank=True)
    occurred_at = models.DateTimeField(_("tijdstip"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("door"), max_length=200, blank=True)
    note = models.TextField(_("toelichting"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("tijdlijn")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["dossier", "occurred_at", "id"], name="timeline_dossier_time")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Timeline events are append-only.")


def private_storage():
    return storages["private"]


EVIDENCE_SUFFIXES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The dossier id and a random name: the original file name never reaches the storage path.
    import secrets
    from pathlib import PurePath

    # The suffix is the one of the checked type, never the sender's (``foto.png.html``, ``x.exe``):
    # object storage derives a served Content-Type from it.
    suffix = EVIDENCE_SUFFIXES.get(instance.content_type) or PurePath(filename).suffix.lower()[:8]
    return f"evidence/{instance.dossier_id}/{secrets.token_hex(16)}{suffix}"


class Evidence(models.Model):
    """A photo or document that supports the dossier; private, served only through a scoped view."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, upload_to=evidence_upload_to)
    content_type = models.CharField(max_length=100)
    caption = models.CharField(_("omschrijving"), max_length=200, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bewijsstuk")
        verbose_name_plural = _("bewijsstukken")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.caption or f"evidence {self.pk}"
