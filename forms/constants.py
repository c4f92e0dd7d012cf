"""Stable codes (English, never translated) for submissions, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eloket.constants import CitizenAction


class Purpose(models.TextChoices):
    QUESTION = "question", _("Vraag")
    COMPLAINT = "complaint", _("Klacht")
    CONTEST = "contest", _("Bezwaar tegen een retributie")
    DEFENCE = "defence", _("Verweer tegen een GAS-boete")
    NAME_DRIVER = "name_driver", _("De bestuurder doorgeven")
    PAYMENT_PLAN = "payment_plan", _("Een afbetalingsplan vragen")


# The purposes that contest a dossier: filing one puts the dossier on hold until the decision.
CONTESTING_PURPOSES = frozenset({Purpose.CONTEST, Purpose.DEFENCE})
# Purposes that need a dossier; a question or complaint may come without one.
DOSSIER_PURPOSES = frozenset({Purpose.CONTEST, Purpose.DEFENCE, Purpose.NAME_DRIVER, Purpose.PAYMENT_PLAN})
# Which citizen action on a dossier page leads to a form of which purpose.
PURPOSE_FOR_ACTION = {
    CitizenAction.CONTEST: Purpose.CONTEST,
    CitizenAction.DEFEND: Purpose.DEFENCE,
    CitizenAction.NAME_DRIVER: Purpose.NAME_DRIVER,
    CitizenAction.ASK: Purpose.QUESTION,
}


# The question the e-loket adds itself to a GAS defence where the law allows an oral hearing (a fine
# above 70 euro: ``DossierPolicy.oral_hearing_allowed``); the answer is a boolean in
# ``Submission.form_data`` under this key. Elsewhere it is refused with ``ORAL_HEARING_REFUSED``.
ORAL_HEARING = "oral_hearing"
ORAL_HEARING_REFUSED = _(
    "Mondeling gehoord worden kan alleen bij een GAS-boete van meer dan 70 euro. Uw verweer wordt "
    "schriftelijk behandeld: schrijf alles wat u wilt zeggen in uw verweer."
)


class ContestReason(models.TextChoices):
    """Grounds of a contest or defence (domain.md §2.4)."""

    VALID_TICKET = "valid_ticket", _("Ik had een geldig parkeerticket")
    VALID_SESSION = "valid_session", _("Ik had een geldige parkeersessie via app of sms")
    WRONG_PLATE_IN_SESSION = (
        "wrong_plate_in_session",
        _("Ik gaf een verkeerde nummerplaat in bij mijn sessie"),
    )
    PERMIT = "permit", _("Ik heb een bewonerskaart of een andere vergunning")
    DISABLED_CARD = "disabled_card", _("Ik heb een parkeerkaart voor personen met een handicap")
    BROKEN_METER = "broken_meter", _("De parkeerautomaat was defect")
    LOADING = "loading", _("Ik was aan het laden of lossen")
    VEHICLE_STOLEN_OR_SOLD = "vehicle_stolen_or_sold", _("Het voertuig was gestolen of verkocht")
    NOT_THE_DRIVER = "not_the_driver", _("Ik was niet de bestuurder")
    IOD = "iod", _("Er gold een parkeerverbod of vergunning voor inname van het openbaar domein")
    OTHER = "other", _("Een andere reden")


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", _("Ontvangen")
    IN_PROGRESS = "in_progress", _("In behandeling")
    INFO_REQUESTED = "info_requested", _("Wacht op uw informatie")
    INFO_RECEIVED = "info_received", _("Informatie ontvangen")
    DECIDED = "decided", _("Beslist")
    CLOSED = "closed", _("Afgesloten")


OPEN_STATUSES = frozenset(
    {SubmissionStatus.RECEIVED, SubmissionStatus.IN_PROGRESS, SubmissionStatus.INFO_REQUESTED,
     SubmissionStatus.INFO_RECEIVED}
)  # fmt: skip


class MessageAuthor(models.TextChoices):
    CITIZEN = "citizen", _("Burger")
    CLERK = "clerk", _("Behandelaar")
    SYSTEM = "system", _("E-loket")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Niet gescand")
    CLEAN = "clean", _("Geen virus gevonden")
    INFECTED = "infected", _("Virus gevonden")


# What each scan status means for the clerk about to open a file (the inbox's submission page).
SCAN_STATUS_EXPLAINED = {
    ScanStatus.NOT_SCANNED: _(
        "Niet gescand: er was geen virusscanner ingesteld toen dit bestand binnenkwam. Open het alleen "
        "als u zo'n bestand van deze afzender verwacht."
    ),
    ScanStatus.CLEAN: _("Geen virus gevonden: de virusscanner controleerde het bestand bij het opladen."),
    ScanStatus.INFECTED: _(
        "Virus gevonden bij het opladen: het bestand is geblokkeerd en kan niet geopend of gedownload worden."
    ),
}


# Upload limits of a form page unless its editor sets others.
DEFAULT_MAX_FILE_MB = 10
DEFAULT_MAX_FILES = 5


class FileFieldType:
    """The field type the form builder adds to Wagtail's own (which has no file upload)."""

    FILES = "files"
    LABEL = _("Bestanden (foto's of PDF)")
