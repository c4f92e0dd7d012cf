"""The outbox: every e-mail is a row first, rendered in the recipient's language when it is queued,
and sent by a background task (``eloket.tasks.notification_send``) once.

``key`` names what the mail is about (``submission-received:V-7KQ3X9``); queueing the same key twice
gives the same row, so a retried request or task never mails twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import Language, NotificationStatus
from eloket.models.dossiers import Dossier
from eloket.models.parties import Party


class Notification(models.Model):
    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(_("sjabloon"), max_length=64)
    to_email = models.EmailField(_("aan"))
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices, default=Language.NL)
    subject = models.CharField(_("onderwerp"), max_length=255)
    body_text = models.TextField(_("tekst"))
    body_html = models.TextField(_("HTML"), blank=True)
    party = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    dossier = models.ForeignKey(Dossier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("uitgaande e-mails")
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status_created")]

    def __str__(self) -> str:
        return self.key

    @property
    def message_id(self) -> str:
        """Stable per notification: a resend after a crash carries the same Message-ID."""
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "eloket.localhost"
        return f"<notification-{self.pk}@{domain}>"
