"""Parking paid by app or SMS: the areas of a municipality where it is sold, the sessions parking
providers report (parking rights, as in the Dutch national parking register), and what the session
cross-check and the contest's near-match search found (``eloket.sessions``).

A session is a parking right for a plate in one area from ``start_at`` to ``end_at`` (open while it
runs). Grace minutes are the regulation's (``Regulation.session_grace_minutes``), never a constant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.models.dossiers import Dossier
from eloket.models.organisations import Municipality, Organisation, TranslatedNameMixin
from eloket.models.parties import Party


class ParkingArea(TranslatedNameMixin):
    """An area where parking is sold: the code a provider's app and the scan car share ("GNK-C1")."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="parking_areas", verbose_name=_("gemeente")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="parking_areas",
        verbose_name=_("organisatie"),
        help_text=_("Wie het parkeren in deze zone beheert en de retributies int."),
    )
    code = models.CharField(
        _("zonecode"),
        max_length=32,
        help_text=_("Stabiele code, zoals in de apps van de aanbieders en op de parkeerautomaat."),
    )
    tariff_zone = models.CharField(_("tariefzone"), max_length=32, blank=True)
    streets = models.JSONField(_("straten"), default=list, blank=True)
    polygon = models.JSONField(
        _("omtrek (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("Een GeoJSON-Polygon in WGS84 (lengte, breedte), optioneel."),
    )
    neighbours = models.ManyToManyField(
        "self", symmetrical=True, blank=True, verbose_name=_("aangrenzende zones")
    )
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("parkeerzone")
        verbose_name_plural = _("parkeerzones")
        ordering = ["municipality__name_nl", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="parking_area_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ParkingAreaStreet(models.Model):
    """One street of an area as the cross-check compares it (``eloket.places.street_key``); rebuilt
    from ``ParkingArea.streets`` whenever the area is written, never edited by hand."""

    area = models.ForeignKey(ParkingArea, on_delete=models.CASCADE, related_name="street_keys")
    street_key = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "street_key"], name="parking_area_street_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.street_key}"


class ParkingSession(models.Model):
    """A parking right reported by a provider, idempotent by (provider, provider session id)."""

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="parking_sessions", verbose_name=_("aanbieder")
    )
    provider_session_id = models.CharField(_("sessie-id van de aanbieder"), max_length=100)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        ParkingArea, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("zone")
    )
    area_code = models.CharField(max_length=32, editable=False)  # the area's code, for the join
    plate = models.CharField(_("nummerplaat"), max_length=16)
    plate_normalised = models.CharField(max_length=16, editable=False)
    plate_country = models.CharField(_("land van de nummerplaat"), max_length=2, default="BE")
    start_at = models.DateTimeField(_("begin"))
    end_at = models.DateTimeField(_("einde"), null=True, blank=True, help_text=_("Leeg: loopt nog."))
    amount_paid_cents = models.PositiveIntegerField(_("betaald (cent)"), default=0)
    party = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="parking_sessions"
    )
    received_at = models.DateTimeField(_("ontvangen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        verbose_name = _("parkeersessie")
        verbose_name_plural = _("parkeersessies")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_session_id"], name="parking_session_unique_per_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(end_at__isnull=True) | models.Q(end_at__gte=models.F("start_at")),
                name="parking_session_end_after_start",
            ),
        ]
        indexes = [
            # The rights check and the cross-check: one plate in one municipality, by time.
            models.Index(
                fields=["municipality", "plate_normalised", "start_at"], name="parking_session_plate"
            ),
            # The citizen's "Parkeersessies", newest first.
            models.Index(
                fields=["party", "-start_at"],
                name="parking_session_party",
                condition=models.Q(party__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.provider_session_id}"


class SessionMatch(models.Model):
    """A parking retribution a session covered, cancelled by the session cross-check."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="session_match")
    session = models.ForeignKey(ParkingSession, on_delete=models.CASCADE, related_name="matches")
    status_from = models.CharField(max_length=32)
    grace_minutes = models.PositiveSmallIntegerField(default=0)
    matched_at = models.DateTimeField()
    run = models.CharField(max_length=32, db_index=True)

    class Meta:
        verbose_name = _("annulatie wegens parkeersessie")
        verbose_name_plural = _("annulaties wegens parkeersessie")

    def __str__(self) -> str:
        return f"{self.dossier_id} ← {self.session_id}"


class SessionNearMatch(models.Model):
    """A session that nearly covers a contested retribution ("I had paid by app"), put before the
    clerk: a neighbouring area, a start a few minutes after the observation, or a plate one
    confusable character away. ``reasons`` lists which (``eloket.sessions.near``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="session_near_matches")
    session = models.ForeignKey(ParkingSession, on_delete=models.CASCADE, related_name="near_matches")
    reasons = models.JSONField(default=list)
    found_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bijna-overeenkomst met een parkeersessie")
        verbose_name_plural = _("bijna-overeenkomsten met een parkeersessie")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "session"], name="session_near_match_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} ~ {self.session_id}"
