"""Where the facts happened (Municipality), who handles and collects (Organisation), and under which
rules (Regulation). These are three different things (domain.md §1.7)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from eloket.constants import SESSION_GRACE_MAX_MINUTES, DossierKind, OrganisationKind, StaffRole

nis_code_validator = RegexValidator(r"^\d{5}$", _("Een NIS-code telt 5 cijfers."))


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException:
        raise ValidationError(_("Dit is geen geldig IBAN-rekeningnummer."), code="invalid_iban") from None


class TranslatedNameMixin(models.Model):
    name_nl = models.CharField(_("naam (Nederlands)"), max_length=120)
    name_fr = models.CharField(_("naam (Frans)"), max_length=120, blank=True)
    name_en = models.CharField(_("naam (Engels)"), max_length=120, blank=True)
    name_de = models.CharField(_("naam (Duits)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (translation.get_language() or "nl")[:2]
        return getattr(self, f"name_{language}", "") or self.name_nl


class Municipality(TranslatedNameMixin):
    nis_code = models.CharField(_("NIS-code"), max_length=5, unique=True, validators=[nis_code_validator])
    slug = models.SlugField(unique=True)
    postal_codes = models.JSONField(_("postcodes"), default=list, blank=True)

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name_nl"]


class Organisation(TranslatedNameMixin):
    """The handler and creditor of dossiers: a city, a parking company, a concessionaire, a GAS service."""

    slug = models.SlugField(unique=True)
    kind = models.CharField(_("soort"), max_length=32, choices=OrganisationKind.choices)
    municipalities = models.ManyToManyField(
        Municipality, related_name="organisations", verbose_name=_("bediende gemeenten")
    )
    enterprise_number = models.CharField(_("ondernemingsnummer"), max_length=10, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("rekeninghouder"), max_length=70)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("telefoon"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("adres"), blank=True)
    reminder_days_before = models.PositiveSmallIntegerField(
        _("herinnering (dagen voor een termijn)"),
        default=7,
        help_text=_(
            "Zoveel dagen voor een betaal- of bezwaartermijn krijgt de burger een herinnering; 0: geen."
        ),
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name_nl"]

    def clean(self) -> None:
        if self.iban:
            self.iban = IBAN(self.iban).compact

    @property
    def iban_display(self) -> str:
        return IBAN(self.iban).formatted


class Regulation(models.Model):
    """A version of the regulation (reglement or law) a dossier falls under, with its terms and costs.

    Deadlines and cost step-ups come from here, never from constants in code (DESIGN §4).
    ``tariff`` holds kind-specific amounts in cents, e.g. ``{"category_1": 5800, "category_2": 11600}``
    for GAS 4 or ``{"base": 5300, "per_kmh_outside": 600, "per_kmh_inside": 1100, "base_kmh": 10}``
    for GAS 5; ``{"forfait": 2000}`` for a retribution.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="regulations")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="regulations"
    )
    kind = models.CharField(_("soort dossier"), max_length=32, choices=DossierKind.choices)
    code = models.CharField(_("code"), max_length=64)
    title = models.CharField(_("titel"), max_length=255)
    url = models.URLField(_("publicatie"), blank=True)
    valid_from = models.DateField(_("geldig vanaf"))
    valid_until = models.DateField(_("geldig tot"), null=True, blank=True)
    pay_term_days = models.PositiveSmallIntegerField(_("betaaltermijn (dagen)"), default=30)
    contest_term_days = models.PositiveSmallIntegerField(_("termijn bezwaar/verweer (dagen)"), default=30)
    reminder_term_days = models.PositiveSmallIntegerField(_("termijn na herinnering (dagen)"), default=30)
    formal_notice_term_days = models.PositiveSmallIntegerField(_("termijn na aanmaning (dagen)"), default=30)
    reminder_cost_cents = models.PositiveIntegerField(_("kost herinnering (cent)"), default=0)
    formal_notice_cost_cents = models.PositiveIntegerField(_("kost aanmaning (cent)"), default=0)
    tariff = models.JSONField(_("tarief"), default=dict, blank=True)
    # Parking paid by app or SMS (retributions only; eloket.sessions).
    session_grace_minutes = models.PositiveSmallIntegerField(
        _("wachttijd mobiel parkeren (minuten)"),
        default=0,
        validators=[MaxValueValidator(SESSION_GRACE_MAX_MINUTES)],
        help_text=_(
            "Een parkeersessie die zoveel minuten na de vaststelling begon, of zoveel minuten ervoor "
            "eindigde, dekt de vaststelling nog."
        ),
    )
    session_near_minutes = models.PositiveSmallIntegerField(
        _("bijna-overeenkomst mobiel parkeren (minuten)"),
        default=15,
        help_text=_(
            "Bij een bezwaar 'ik had betaald via de app' toont het e-loket de behandelaar sessies die "
            "tot zoveel minuten na de wachttijd begonnen."
        ),
    )

    class Meta:
        verbose_name = _("reglement")
        verbose_name_plural = _("reglementen")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="regulation_code_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class StaffMembership(models.Model):
    """A staff login works for an organisation: a clerk sees that organisation's submissions and
    dossiers in the admin, and nothing of another organisation (``eloket.selectors.staff_organisations``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("rol"), max_length=16, choices=StaffRole.choices, default=StaffRole.CLERK)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medewerker")
        verbose_name_plural = _("medewerkers")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="staff_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"
