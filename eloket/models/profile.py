"""What the e-loket announces to a citizen's Mijn Burgerprofiel (``eloket.profile``, docs/profile.md).

One ``ProfileAnnouncement`` per outbox event and person party, written by the outbox consumer
``eloket.profile.services.announcements_fan_out`` inside the dispatch transaction (the unique
constraint makes it exactly once), then sent after commit by its own task with retries. The title is
rendered once, in the party's language; the dossier's status, amount and link are read when it is
sent. Rows go with their dossier (and event, and party): ``on_delete=CASCADE``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import Language
from eloket.models.dossiers import Dossier
from eloket.models.integrations import OutboxEvent
from eloket.models.parties import Party


class ProfileAnnouncement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht")
        SENDING = "sending", _("Wordt verstuurd")
        SUCCEEDED = "succeeded", _("Afgeleverd")
        FAILED = "failed", _("Mislukt, wordt opnieuw geprobeerd")
        GAVE_UP = "gave_up", _("Opgegeven")

    # The Idempotency-Key of every attempt: the profile keeps one announcement per key.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    # What happened: "created", a timeline kind ("paid", "reminder", "decided_rejected"…), or the event
    # type's last part ("cancelled_by_permit", "decided", "succeeded" for a refund). A stable code.
    kind = models.CharField(_("soort"), max_length=32)
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices, default=Language.NL)
    title = models.CharField(_("titel"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Short and without personal data: an HTTP status or an exception's class and message.
    last_error = models.CharField(_("fout"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("afgeleverd"), null=True, blank=True)

    class Meta:
        verbose_name = _("aankondiging in Mijn Burgerprofiel")
        verbose_name_plural = _("aankondigingen in Mijn Burgerprofiel")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "party"], name="profile_announcement_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="profile_announcement_due")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.party_id} ({self.status})"
