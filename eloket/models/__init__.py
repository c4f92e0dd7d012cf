from eloket.models.dossiers import Dossier, Evidence, TimelineEvent
from eloket.models.organisations import Municipality, Organisation, Regulation
from eloket.models.parties import Party, Representation, User

__all__ = [
    "Dossier",
    "Evidence",
    "Municipality",
    "Organisation",
    "Party",
    "Regulation",
    "Representation",
    "TimelineEvent",
    "User",
]
