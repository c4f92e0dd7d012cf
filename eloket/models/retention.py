"""How long the e-loket keeps what, per organisation and dossier kind (docs/retention.md).

A ``RetentionPolicy`` says: for this category of data, of this organisation (empty: every
organisation) and this kind of dossier (empty: every kind), once it is closed and older than the
period, anonymise or delete it. The most specific row wins: organisation and kind, then the
organisation, then the kind, then the platform row, then the code default (``eloket.retention``).
``eloket.retention.retention_apply`` carries the rows out, nightly.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import DossierKind, PeriodUnit, RetentionAction, RetentionCategory
from eloket.models.organisations import Organisation

# Categories whose rows belong to no dossier kind: a policy for them names no kind.
KINDLESS_CATEGORIES = frozenset({RetentionCategory.LOGS, RetentionCategory.PAYMENTS})
# A file cannot be "anonymised"; technical records are only worth deleting.
DELETE_ONLY_CATEGORIES = frozenset({RetentionCategory.ATTACHMENTS, RetentionCategory.LOGS})
# Accounting law: payment records are kept at least this long before they may be deleted
# (7 years: Wetboek van economisch recht art. III.86; docs/retention.md).
PAYMENTS_DELETE_MINIMUM_MONTHS = 84


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` minus whole calendar months (31 March minus one month is 28/29 February)."""
    import calendar

    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


class RetentionPolicy(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_policies",
        verbose_name=_("organisatie"),
        help_text=_("Leeg: voor alle organisaties (enkel platformbeheerders)."),
    )
    dossier_kind = models.CharField(
        _("soort dossier"),
        max_length=32,
        choices=DossierKind.choices,
        blank=True,
        help_text=_("Leeg: voor alle soorten."),
    )
    category = models.CharField(_("gegevens"), max_length=16, choices=RetentionCategory.choices)
    period = models.PositiveIntegerField(_("bewaartermijn"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("eenheid"), max_length=8, choices=PeriodUnit.choices, default=PeriodUnit.MONTHS)
    action = models.CharField(_("daarna"), max_length=16, choices=RetentionAction.choices)
    reason = models.TextField(_("reden"), blank=True, help_text=_("Waarom deze termijn (reglement, wet)."))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bewaartermijn")
        verbose_name_plural = _("bewaartermijnen")
        ordering = ["organisation__name_nl", "category", "dossier_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dossier_kind", "category"],
                condition=models.Q(organisation__isnull=False),
                name="retention_policy_unique_per_org",
            ),
            models.UniqueConstraint(
                fields=["dossier_kind", "category"],
                condition=models.Q(organisation__isnull=True),
                name="retention_policy_unique_platform",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.period} {self.get_unit_display()}"

    def clean(self) -> None:
        errors = retention_policy_errors(
            category=self.category,
            dossier_kind=self.dossier_kind,
            action=self.action,
            period=self.period or 0,
            unit=self.unit,
        )
        if errors:
            raise ValidationError(errors)

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        return period_cutoff(now=now, period=self.period, unit=self.unit)


def period_cutoff(*, now: dt.datetime, period: int, unit: str) -> dt.datetime:
    """What closed before this moment is due."""
    if unit == PeriodUnit.DAYS:
        return now - dt.timedelta(days=period)
    return months_before(now, period)


def period_months(*, period: int, unit: str) -> float:
    return period if unit == PeriodUnit.MONTHS else period / 30.44


def retention_policy_errors(
    *, category: str, dossier_kind: str, action: str, period: int, unit: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if category in KINDLESS_CATEGORIES and dossier_kind:
        errors["dossier_kind"] = _("Voor deze gegevens geldt een termijn voor alle soorten dossier samen.")
    if category in DELETE_ONLY_CATEGORIES and action != RetentionAction.DELETE:
        errors["action"] = _("Deze gegevens kunnen enkel verwijderd worden.")
    if (
        category == RetentionCategory.PAYMENTS
        and action == RetentionAction.DELETE
        and period_months(period=period, unit=unit) < PAYMENTS_DELETE_MINIMUM_MONTHS
    ):
        errors["period"] = _(
            "Betalingsgegevens moeten minstens 7 jaar bewaard blijven (boekhoudwetgeving) voor ze "
            "verwijderd worden; tot dan worden ze geanonimiseerd."
        )
    return errors
