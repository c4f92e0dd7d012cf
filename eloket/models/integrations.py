"""What city systems exchange with the e-loket: API keys, import runs, the transactional outbox of
events, outbound webhooks and their deliveries, and the permit scopes the cross-check joins on.

The outbox (``OutboxEvent``) is written in the same transaction as the change it reports, row by row
or set-based; ``eloket.outbox.outbox_dispatch`` turns each event, exactly once, into webhook
deliveries for the organisation and e-mails (or digest lines) for the party (docs/integrations.md).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import OrganisationKind
from eloket.models.dossiers import Dossier
from eloket.models.organisations import Municipality, Organisation
from eloket.models.parties import Party


class ApiScope(models.TextChoices):
    DOSSIERS_READ = "dossiers:read", _("Dossiers lezen")
    DOSSIERS_WRITE = "dossiers:write", _("Dossiers aanmaken en bijwerken")
    EVIDENCE_WRITE = "evidence:write", _("Bewijsstukken opladen")
    SUBMISSIONS_READ = "submissions:read", _("Inzendingen exporteren")
    RIGHTS_CHECK = "rights:check", _("Rechten controleren (handhaving)")
    LETTERS_READ = "letters:read", _("Brieven per post ophalen (drukkerij)")
    SESSIONS_WRITE = "sessions:write", _("Parkeersessies melden (aanbieder van mobiel parkeren)")


# What only a parking provider's key may hold, and all a provider's key may hold: a provider reports
# sessions and reads nothing of the dossiers (eloket.api.authentication.HasScope).
PROVIDER_SCOPES = frozenset({ApiScope.SESSIONS_WRITE})


def api_scopes_all() -> list[str]:
    """The default scopes of a city system's key: everything but reporting sessions."""
    return [scope.value for scope in ApiScope if scope not in PROVIDER_SCOPES]


class ApiKey(models.Model):
    """A city system's key. The secret is shown once, when the key is made; only its SHA-256 is kept
    (the secret is 32 random bytes, so a plain hash cannot be reversed). ``prefix`` finds the row."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=100, help_text=_("Welk systeem gebruikt deze sleutel?"))
    prefix = models.CharField(_("voorvoegsel"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("rechten"), default=api_scopes_all)
    rights_check_per_minute = models.PositiveIntegerField(_("rechtencontroles per minuut"), default=600)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_token(cls) -> tuple[str, str, str]:
        """(prefix, secret, token): the token ``elk_<prefix>.<secret>`` is what the system sends."""
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return prefix, secret, f"elk_{prefix}.{secret}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        """A parking provider's key holds only provider scopes, and only a provider's key holds them,
        whatever its ``scopes`` say: a provider never reads a dossier, a city never reports sessions."""
        is_provider = self.organisation.kind == OrganisationKind.PARKING_PROVIDER
        if (scope in PROVIDER_SCOPES) != is_provider:
            return False
        return scope in (self.scopes or [])


class ImportRun(models.Model):
    """One bulk import (API or ``manage.py import_dossiers``): what came in and what became of it."""

    class Source(models.TextChoices):
        API = "api", _("API")
        COMMAND = "command", _("Beheercommando")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="import_runs")
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(_("bron"), max_length=16, choices=Source.choices)
    started_at = models.DateTimeField(_("gestart"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar"), null=True, blank=True)
    lines = models.PositiveIntegerField(_("regels"), default=0)
    created = models.PositiveIntegerField(_("aangemaakt"), default=0)
    updated = models.PositiveIntegerField(_("bijgewerkt"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    failed = models.PositiveIntegerField(_("fouten"), default=0)
    cancelled_by_permit = models.PositiveIntegerField(_("geannuleerd wegens vergunning"), default=0)
    cancelled_by_session = models.PositiveIntegerField(_("geannuleerd wegens parkeersessie"), default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.organisation})"


class PermitScope(models.Model):
    """One plate × one place of a permit, while it is valid: the rows the permit cross-check and the
    rights check join on. Rebuilt by ``eloket.permits.permit_scope_rebuild`` whenever the permit is
    written; never edited by hand."""

    permit = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="permit_scopes")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    plate_normalised = models.CharField(max_length=16)
    zone_code = models.CharField(max_length=32, blank=True)
    street_key = models.CharField(max_length=200, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vergunningsbereik")
        verbose_name_plural = _("vergunningsbereiken")
        indexes = [
            models.Index(fields=["municipality", "plate_normalised"], name="permitscope_muni_plate"),
            models.Index(fields=["permit"], name="permitscope_permit"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id}: {self.plate_normalised} {self.zone_code or self.street_key}"


class PermitMatch(models.Model):
    """A parking retribution the cross-check cancelled, and the permit that covered it."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="permit_match")
    permit = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="covered_retributions")
    status_from = models.CharField(max_length=32)
    matched_at = models.DateTimeField()
    run = models.CharField(max_length=32, db_index=True)

    class Meta:
        verbose_name = _("annulatie wegens vergunning")
        verbose_name_plural = _("annulaties wegens vergunning")

    def __str__(self) -> str:
        return f"{self.dossier_id} ← {self.permit_id}"


class EventType(models.TextChoices):
    """What an organisation can be told about (outbound webhooks) and what may reach a citizen."""

    DOSSIER_CREATED = "dossier.created", _("Dossier aangemaakt")
    DOSSIER_UPDATED = "dossier.updated", _("Dossier gewijzigd")
    DOSSIER_PAID = "dossier.paid", _("Dossier betaald")
    DOSSIER_CANCELLED_BY_PERMIT = "dossier.cancelled_by_permit", _("Geannuleerd wegens vergunning")
    DOSSIER_CANCELLED_BY_SESSION = "dossier.cancelled_by_session", _("Geannuleerd: betaald via app of sms")
    SUBMISSION_RECEIVED = "submission.received", _("Inzending ontvangen")
    DECISION = "dossier.decided", _("Beslissing genomen")
    REFUND = "refund.succeeded", _("Terugbetaling uitgevoerd")


def webhook_events_default() -> list[str]:
    return [
        EventType.DOSSIER_PAID,
        EventType.DOSSIER_CANCELLED_BY_PERMIT,
        EventType.DOSSIER_CANCELLED_BY_SESSION,
        EventType.SUBMISSION_RECEIVED,
        EventType.DECISION,
        EventType.REFUND,
    ]


class OutboxEvent(models.Model):
    """Something happened that someone outside the transaction must hear of; dispatched once."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=64, choices=EventType.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitgaande gebeurtenis")
        verbose_name_plural = _("uitgaande gebeurtenissen")
        indexes = [
            models.Index(
                fields=["id"], name="outbox_pending", condition=models.Q(dispatched_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisatie"),
    )
    url = models.URLField(_("adres"), max_length=500)
    secret = models.CharField(
        _("geheim"),
        max_length=64,
        default=secrets.token_hex,
        help_text=_("Hiermee controleert uw systeem de handtekening (HMAC-SHA256) van elke melding."),
    )
    # After a rotation the replaced secret signs too, next to the new one, until previous_secret_until
    # (WEBHOOK_SECRET_OVERLAP_HOURS), so the receiver can switch over without refusing messages.
    previous_secret = models.CharField(_("vorig geheim"), max_length=64, blank=True)
    previous_secret_until = models.DateTimeField(_("vorig geheim geldig tot"), null=True, blank=True)
    events = models.JSONField(_("gebeurtenissen"), default=webhook_events_default)
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht")
        SENDING = "sending", _("Wordt verstuurd")
        SUCCEEDED = "succeeded", _("Afgeleverd")
        FAILED = "failed", _("Mislukt, wordt opnieuw geprobeerd")
        GAVE_UP = "gave_up", _("Opgegeven")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("antwoordcode"), null=True, blank=True)
    response_excerpt = models.CharField(_("antwoord"), max_length=500, blank=True)
    last_error = models.CharField(_("fout"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(_("afgeleverd"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhookaflevering")
        verbose_name_plural = _("webhookafleveringen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class DigestLine(models.Model):
    """A mail a party chose (or a company gets by default) to receive once a day, in a digest."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notification = models.ForeignKey(
        "eloket.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "event"], name="digest_line_once")]
        indexes = [
            models.Index(
                fields=["party", "id"], name="digest_pending", condition=models.Q(notification__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.event_id}"
