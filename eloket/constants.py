"""Stable codes (English, never translated) with translated labels.

Transition tables live with each kind's policy in ``eloket.policies``; this module only names things.
"""

import functools

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    CITY = "city", _("Stad of gemeente")
    PARKING_COMPANY = "parking_company", _("Autonoom parkeerbedrijf")
    CONCESSIONAIRE = "concessionaire", _("Concessiehouder")
    GAS_SERVICE = "gas_service", _("GAS-dienst")
    # Reports parking sessions paid by app or SMS (4411, EasyPark…); handles no dossiers of its own.
    PARKING_PROVIDER = "parking_provider", _("Aanbieder van mobiel parkeren")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Persoon")
    ENTERPRISE = "enterprise", _("Onderneming")


class RepresentationRole(models.TextChoices):
    SELF = "self", _("Zichzelf")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Wettelijk vertegenwoordiger")
    MANDATED = "mandated", _("Gemachtigde")


# The longest grace a retribution regulation may give a parking session (``Regulation``): the rights
# check reads the sessions of one bounded range around the moment asked (eloket.sessions.coverage).
SESSION_GRACE_MAX_MINUTES = 24 * 60


class DossierKind(models.TextChoices):
    PARKING_RETRIBUTION = "parking_retribution", _("Parkeerretributie")
    GAS4 = "gas4", _("GAS 4-boete (stilstaan en parkeren)")
    GAS5 = "gas5", _("GAS 5-boete (snelheid)")
    RESIDENT_PERMIT = "resident_permit", _("Bewonerskaart")
    EMPLOYEE_PERMIT = "employee_permit", _("Werknemersvergunning")
    IOD_PERMIT = "iod_permit", _("Vergunning inname openbaar domein")


class DossierStatus(models.TextChoices):
    # Retributions and fines
    ISSUED = "issued", _("Aangemaakt")
    NOTIFIED = "notified", _("Te betalen")
    CONTESTED = "contested", _("Bezwaar in behandeling")
    DEFENCE = "defence", _("Verweer in behandeling")
    REMINDED = "reminded", _("Herinnering verstuurd")
    FORMAL_NOTICE = "formal_notice", _("Aangetekende aanmaning")
    ENFORCEABLE = "enforceable", _("Definitief en uitvoerbaar")
    IN_COLLECTION = "in_collection", _("Overgedragen voor invordering")
    PAID = "paid", _("Betaald")
    CANCELLED = "cancelled", _("Geannuleerd")
    CANCELLED_BY_PERMIT = "cancelled_by_permit", _("Geannuleerd: geldige vergunning")
    CANCELLED_BY_SESSION = "cancelled_by_session", _("Geannuleerd: betaald via app of sms")
    # Permits
    REQUESTED = "requested", _("Aangevraagd")
    ACTIVE = "active", _("Geldig")
    EXPIRED = "expired", _("Verlopen")
    REVOKED = "revoked", _("Ingetrokken")


# A dossier in one of these owes nothing and is done: cancelled by the city, by a permit or a paid
# session, or a revoked permit.
VOID_STATUSES = frozenset(
    {
        DossierStatus.CANCELLED,
        DossierStatus.CANCELLED_BY_PERMIT,
        DossierStatus.CANCELLED_BY_SESSION,
        DossierStatus.REVOKED,
    }
)


class TimelineEventKind(models.TextChoices):
    ISSUED = "issued", _("Dossier aangemaakt")
    NOTIFIED = "notified", _("Brief of e-mail verstuurd")
    LETTER_SENT = "letter_sent", _("Brief verstuurd")
    VIEWED = "viewed", _("Bekeken in het e-loket")
    PAID = "paid", _("Betaald")
    REMINDER = "reminder", _("Herinnering verstuurd")
    FORMAL_NOTICE = "formal_notice", _("Aangetekende aanmaning verstuurd")
    ENFORCEABLE = "enforceable", _("Boete definitief")
    COLLECTION = "collection", _("Overgedragen voor invordering")
    CONTESTED = "contested", _("Bezwaar ingediend")
    DEFENCE = "defence", _("Verweer ingediend")
    INFO_REQUESTED = "info_requested", _("Bijkomende informatie gevraagd")
    DECIDED_UPHELD = "decided_upheld", _("Beslissing: bezwaar of verweer gegrond")
    DECIDED_PARTLY = "decided_partly", _("Beslissing: bezwaar of verweer gedeeltelijk gegrond")
    DECIDED_REJECTED = "decided_rejected", _("Beslissing: bezwaar of verweer ongegrond")
    SUBMISSION = "submission", _("Bericht ontvangen")
    SUBMISSION_ASSIGNED = "submission_assigned", _("Bericht in behandeling genomen")
    INFO_RECEIVED = "info_received", _("Bijkomende informatie ontvangen")
    SUBMISSION_CLOSED = "submission_closed", _("Bericht afgesloten")
    DRIVER_NAMED = "driver_named", _("Bestuurder doorgegeven")
    CANCELLED = "cancelled", _("Geannuleerd")
    CANCELLED_BY_PERMIT = "cancelled_by_permit", _("Geannuleerd wegens geldige vergunning")
    CANCELLED_BY_SESSION = "cancelled_by_session", _("Geannuleerd: betaald via app of sms")
    PAYMENT_RECEIVED = "payment_received", _("Betaling ontvangen")
    PAYMENT_FAILED = "payment_failed", _("Betaling mislukt")
    REFUND_STARTED = "refund_started", _("Terugbetaling gestart")
    REFUNDED = "refunded", _("Terugbetaald")
    PERMIT_GRANTED = "permit_granted", _("Vergunning toegekend")
    PERMIT_EXPIRED = "permit_expired", _("Vergunning verlopen")
    PERMIT_REVOKED = "permit_revoked", _("Vergunning ingetrokken")


class CitizenAction(models.TextChoices):
    """What a citizen may do on a dossier. Shown only once an issue delivers the view behind it."""

    PAY = "pay", _("Betalen")
    CONTEST = "contest", _("Bezwaar indienen")
    DEFEND = "defend", _("Verweer indienen")
    ASK = "ask", _("Een vraag stellen")
    NAME_DRIVER = "name_driver", _("Bestuurder doorgeven")


class Decision(models.TextChoices):
    """The outcome of a contest (bezwaar) or defence (verweer)."""

    UPHELD = "upheld", _("Gegrond")
    PARTLY_UPHELD = "partly_upheld", _("Gedeeltelijk gegrond")
    REJECTED = "rejected", _("Ongegrond")


class PaymentChannel(models.TextChoices):
    """How the money came in: through the online provider, or by bank transfer with the OGM."""

    STRIPE = "stripe", _("Online (Bancontact of kaart)")
    BANK_TRANSFER = "bank_transfer", _("Overschrijving")


class PaymentStatus(models.TextChoices):
    """A payment's state. Allowed changes: ``PAYMENT_TRANSITIONS`` (success is never undone, except by
    a refund; a failure may still turn into a success)."""

    CREATED = "created", _("Aangemaakt")
    OPEN = "open", _("Wacht op betaling")
    PROCESSING = "processing", _("In verwerking")
    SUCCEEDED = "succeeded", _("Geslaagd")
    FAILED = "failed", _("Mislukt")
    EXPIRED = "expired", _("Verlopen")
    REFUNDED = "refunded", _("Terugbetaald")


_P = PaymentStatus
PAYMENT_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (_P.CREATED, _P.OPEN),
        (_P.CREATED, _P.EXPIRED),
        (_P.OPEN, _P.PROCESSING),
        (_P.OPEN, _P.SUCCEEDED),
        (_P.OPEN, _P.FAILED),
        (_P.OPEN, _P.EXPIRED),
        (_P.PROCESSING, _P.SUCCEEDED),
        (_P.PROCESSING, _P.FAILED),
        (_P.FAILED, _P.SUCCEEDED),
        # The provider took the money after all (an event reporting the success arrives after the
        # expiry): the money is real, so the success counts.
        (_P.EXPIRED, _P.SUCCEEDED),
        (_P.SUCCEEDED, _P.REFUNDED),
    }
)
PAYMENT_UNFINISHED = frozenset({_P.CREATED, _P.OPEN, _P.PROCESSING})


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("In behandeling")
    TO_DO = "to_do", _("Manueel terug te storten")
    SUCCEEDED = "succeeded", _("Uitgevoerd")
    FAILED = "failed", _("Mislukt")


class MovementStatus(models.TextChoices):
    """A bank movement read from a CODA statement."""

    MATCHED = "matched", _("Gekoppeld aan een dossier")
    UNMATCHED = "unmatched", _("Op te lossen")
    RESOLVED = "resolved", _("Opgelost")
    IGNORED = "ignored", _("Geen betaling (debet)")


class MovementReason(models.TextChoices):
    """Why a credit movement could not be booked on a dossier by itself."""

    EXACT = "exact", _("Juist bedrag")
    PARTIAL = "partial", _("Te weinig betaald")
    EXCESS = "excess", _("Te veel betaald")
    DUPLICATE = "duplicate", _("Dubbele betaling")
    UNKNOWN = "unknown", _("Onbekende mededeling")
    NO_REFERENCE = "no_reference", _("Geen gestructureerde mededeling")
    NOT_PAYABLE = "not_payable", _("Dossier niet te betalen")


class StaffRole(models.TextChoices):
    CLERK = "clerk", _("Dossierbehandelaar")
    COORDINATOR = "coordinator", _("Coördinator")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Wacht")
    SENDING = "sending", _("Wordt verstuurd")
    SENT = "sent", _("Verstuurd")
    FAILED = "failed", _("Mislukt")


class MailFrequency(models.TextChoices):
    AUTO = "auto", _("Automatisch (bedrijven: één overzicht per dag)")
    EACH = "each", _("Een e-mail per bericht")
    DAILY = "daily", _("Eén overzicht per dag")


class Language(models.TextChoices):
    NL = "nl", "Nederlands"
    FR = "fr", "Français"
    EN = "en", "English"
    DE = "de", "Deutsch"


@functools.cache
def _labels(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """The translated labels of a choices class in the active language, computed once per language.

    Lazy labels cost a gettext call each time they are shown; the overview shows a hundred of them.
    """
    return _labels(choices, translation.get_language() or "nl")


# Retention (eloket.retention, docs/retention.md).
class RetentionCategory(models.TextChoices):
    DOSSIERS = "dossiers", _("Afgesloten dossiers")
    SUBMISSIONS = "submissions", _("Afgesloten inzendingen")
    ATTACHMENTS = "attachments", _("Bijlagen en bewijsstukken")
    EMAILS = "emails", _("Verstuurde e-mails")
    LOGS = "logs", _("Logboeken en technische gegevens")
    PAYMENTS = "payments", _("Betalingsgegevens")


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonimiseren")
    DELETE = "delete", _("Verwijderen")


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("dagen")
    MONTHS = "months", _("maanden")


class StatusGroup(models.TextChoices):
    """What a status asks of the citizen, the one question the overview answers at a glance. Each group
    has its own colour, icon and text (``eloket/includes/status_badge.html``)."""

    ACT_NOW = "act_now", _("Actie nodig")
    WAITING = "waiting", _("Wacht op de stad")
    DONE = "done", _("Afgerond")
    CANCELLED = "cancelled", _("Geannuleerd")
    FINAL = "final", _("Invordering of definitief")


_G = StatusGroup
# Every status in exactly one group (a test holds every DossierStatus to it). ISSUED is before the
# letter: the city still has to send it. A permit that is active or expired asks nothing more.
STATUS_GROUPS: dict[str, str] = {
    DossierStatus.ISSUED: _G.WAITING,
    DossierStatus.NOTIFIED: _G.ACT_NOW,
    DossierStatus.REMINDED: _G.ACT_NOW,
    DossierStatus.FORMAL_NOTICE: _G.ACT_NOW,
    DossierStatus.CONTESTED: _G.WAITING,
    DossierStatus.DEFENCE: _G.WAITING,
    DossierStatus.REQUESTED: _G.WAITING,
    DossierStatus.PAID: _G.DONE,
    DossierStatus.ACTIVE: _G.DONE,
    DossierStatus.EXPIRED: _G.DONE,
    DossierStatus.ENFORCEABLE: _G.FINAL,
    DossierStatus.IN_COLLECTION: _G.FINAL,
    **{status: _G.CANCELLED for status in VOID_STATUSES},
}
