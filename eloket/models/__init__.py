from eloket.models.dossiers import Dossier, Evidence, TimelineEvent
from eloket.models.notifications import Notification
from eloket.models.organisations import Municipality, Organisation, Regulation, StaffMembership
from eloket.models.parties import Party, Representation, User

__all__ = [
    "Dossier",
    "Evidence",
    "Municipality",
    "Notification",
    "Organisation",
    "Party",
    "Regulation",
    "Representation",
    "StaffMembership",
    "TimelineEvent",
    "User",
]
