"""Money in and out: payments (online or by bank transfer), the provider's events, refunds, and the
bank statements (CODA) that bank transfers are matched from.

A payment belongs to one party and one organisation (the creditor) and may cover several of that
organisation's dossiers (``PaymentItem``). Its status changes only through
``eloket.payments.services`` along ``eloket.constants.PAYMENT_TRANSITIONS``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eloket.constants import (
    MovementReason,
    MovementStatus,
    PaymentChannel,
    PaymentStatus,
    RefundStatus,
    labels,
)
from eloket.models.dossiers import Dossier
from eloket.models.organisations import Organisation
from eloket.models.parties import Party


class PaymentMethod(models.TextChoices):
    BANCONTACT = "bancontact", "Bancontact"
    CARD = "card", _("Kaart")


def default_methods() -> list[str]:
    return [PaymentMethod.BANCONTACT, PaymentMethod.CARD]


class PaymentAccount(models.Model):
    """An organisation's online payment account: the Stripe Connect account the money goes to, and
    which methods its citizens may use (docs/decisions/0004-stripe-connect-accounts.md)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="payment_account", verbose_name=_("organisatie")
    )
    stripe_account_id = models.CharField(_("Stripe-account"), max_length=64, unique=True)
    methods = models.JSONField(_("betaalmethodes"), default=default_methods)
    enabled = models.BooleanField(_("online betalen aan"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("betaalaccount")
        verbose_name_plural = _("betaalaccounts")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.stripe_account_id})"


class Payment(models.Model):
    reference = models.CharField(_("referentie"), max_length=16, unique=True)
    channel = models.CharField(_("kanaal"), max_length=16, choices=PaymentChannel.choices)
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="payments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payments")
    amount_cents = models.PositiveIntegerField(_("bedrag"))
    refunded_cents = models.PositiveIntegerField(_("terugbetaald"), default=0)
    currency = models.CharField(max_length=3, default="EUR")
    # Online payments: the provider's checkout session, its account and where to send the citizen.
    provider_account = models.CharField(max_length=64, blank=True)
    provider_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    provider_payment_id = models.CharField(_("betaling bij de provider"), max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    method = models.CharField(_("methode"), max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(_("vervalt"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("betaald op"), null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("betaling")
        verbose_name_plural = _("betalingen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="payment_org_recent"),
            models.Index(fields=["status", "created_at"], name="payment_status_created"),
            models.Index(fields=["party", "-created_at"], name="payment_party_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_cents__lte=models.F("amount_cents")),
                name="payment_not_overrefunded",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_label(self) -> str:
        return labels(PaymentStatus)[self.status]

    @property
    def channel_label(self) -> str:
        return labels(PaymentChannel)[self.channel]


class PaymentItem(models.Model):
    """One dossier paid by a payment, with the amount computed on the server when it started."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payment_items")
    amount_cents = models.PositiveIntegerField(_("bedrag"))
    # Set once the money is booked on the dossier; False when the dossier no longer owed it (the
    # excess is refunded through the same channel).
    applied = models.BooleanField(null=True, default=None)

    class Meta:
        verbose_name = _("betaald dossier")
        verbose_name_plural = _("betaalde dossiers")
        constraints = [
            models.UniqueConstraint(fields=["payment", "dossier"], name="payment_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}/{self.dossier_id}"


class ProviderEvent(models.Model):
    """Every provider event, stored once by its id (a replay or duplicate is recognised here)."""

    provider = models.CharField(max_length=16, default=PaymentChannel.STRIPE)
    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    payload = models.JSONField(default=dict)
    result = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("providergebeurtenis")
        verbose_name_plural = _("providergebeurtenissen")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Refund(models.Model):
    """Money given back for a dossier, through the channel that took it: online through the provider,
    by bank transfer as a to-do for a clerk (the payer's account comes from the bank statement)."""

    # None when the money came in outside the e-loket (a clerk refunds it by hand).
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(_("bedrag"))
    status = models.CharField(_("status"), max_length=16, choices=RefundStatus.choices)
    # What asked for it and from which payment (``decision-<event id>:<payment ref>``,
    # ``excess-<item id>``): a retried task finds the refund it already made instead of refunding twice.
    source_key = models.CharField(max_length=100)
    provider_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    counterparty_iban = models.CharField(_("rekening van de betaler"), max_length=34, blank=True)
    counterparty_name = models.CharField(_("naam van de betaler"), max_length=70, blank=True)
    note = models.TextField(_("toelichting"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    completed_at = models.DateTimeField(_("uitgevoerd op"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("terugbetaling")
        verbose_name_plural = _("terugbetalingen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "source_key"], name="refund_source_unique"),
        ]

    def __str__(self) -> str:
        return f"refund {self.pk} of {self.payment_id}"

    @property
    def status_label(self) -> str:
        return labels(RefundStatus)[self.status]


class CodaImport(models.Model):
    """One imported CODA file. The file's hash is unique per organisation: importing it again
    changes nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="coda_imports")
    file_name = models.CharField(_("bestand"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    account_iban = models.CharField(_("rekening"), max_length=34, blank=True)
    statement_numbers = models.CharField(_("uittreksels"), max_length=255, blank=True)
    statement_date = models.DateField(_("datum uittreksel"), null=True, blank=True)
    movement_count = models.PositiveIntegerField(_("bewegingen"), default=0)
    matched_count = models.PositiveIntegerField(_("gekoppeld"), default=0)
    unmatched_count = models.PositiveIntegerField(_("op te lossen"), default=0)
    skipped_count = models.PositiveIntegerField(_("al ingelezen"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("ingelezen op"), auto_now_add=True)

    class Meta:
        verbose_name = _("CODA-bestand")
        verbose_name_plural = _("CODA-bestanden")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "file_sha256"], name="coda_import_file_unique"),
        ]

    def __str__(self) -> str:
        return self.file_name


class BankMovement(models.Model):
    """One movement of a bank statement. A credit with an OGM that matches a payable dossier's
    amount due is booked on it; anything else waits, ``unmatched``, for a clerk to resolve."""

    # No database constraints on the import and the organisation: movements are written only by
    # ``coda_import``, in the transaction that creates their import, and an import is never deleted
    # (PROTECT). Checking each of 100,000 rows again at commit cost a second (docs/performance.md).
    coda_import = models.ForeignKey(
        CodaImport, on_delete=models.PROTECT, related_name="movements", db_constraint=False
    )
    # The import's organisation, copied for the scoped indexes below (which lead with it, so no index of
    # its own).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bank_movements",
        db_index=False,
        db_constraint=False,
    )
    # Year, statement number, sequence and detail number (``2026/123/0001/0000``): the same movement read
    # from another export of the same statement is recognised and skipped.
    movement_key = models.CharField(max_length=100)
    line_number = models.PositiveIntegerField(_("regel"))
    amount_cents = models.BigIntegerField(_("bedrag"))
    value_date = models.DateField(_("valutadatum"), null=True, blank=True)
    entry_date = models.DateField(_("boekingsdatum"), null=True, blank=True)
    ogm = models.CharField(_("gestructureerde mededeling"), max_length=12, blank=True)
    communication = models.CharField(_("mededeling"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("rekening tegenpartij"), max_length=34, blank=True)
    counterparty_name = models.CharField(_("naam tegenpartij"), max_length=70, blank=True)
    # Most movements of a statement are for no dossier of ours (and have no payment): the indexes on
    # these two leave the empty ones out (``Meta``).
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_movements",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=MovementStatus.choices)
    reason = models.CharField(_("reden"), max_length=16, choices=MovementReason.choices, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    resolved_at = models.DateTimeField(_("opgelost op"), null=True, blank=True)
    resolution_note = models.TextField(_("oplossing"), blank=True)

    class Meta:
        verbose_name = _("bankbeweging")
        verbose_name_plural = _("bankbewegingen")
        ordering = ["-entry_date", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "movement_key"], name="bank_movement_unique"),
            # A payment is booked from one movement at most.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(payment__isnull=False), name="bank_movement_payment_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="bank_movement_org_status"),
            models.Index(
                fields=["dossier"], condition=Q(dossier__isnull=False), name="bank_movement_dossier"
            ),
            # Matched and not booked yet: a moment after each import, unless its task was lost; the
            # reconciliation looks here (eloket.payments.services.payments_reconcile).
            models.Index(
                fields=["coda_import"],
                condition=Q(status="matched", payment__isnull=True),
                name="bank_movement_to_book",
            ),
        ]

    def __str__(self) -> str:
        return self.movement_key

    @property
    def reason_label(self) -> str:
        return labels(MovementReason)[self.reason] if self.reason else ""
