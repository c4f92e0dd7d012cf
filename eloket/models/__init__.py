from eloket.models.dossiers import Dossier, Evidence, TimelineEvent
from eloket.models.notifications import Notification
from eloket.models.organisations import Municipality, Organisation, Regulation, StaffMembership
from eloket.models.parties import Party, Representation, User
from eloket.models.payments import (
    BankMovement,
    CodaImport,
    Payment,
    PaymentAccount,
    PaymentItem,
    ProviderEvent,
    Refund,
)

__all__ = [
    "BankMovement",
    "CodaImport",
    "Dossier",
    "Evidence",
    "Municipality",
    "Notification",
    "Organisation",
    "Party",
    "Payment",
    "PaymentAccount",
    "PaymentItem",
    "ProviderEvent",
    "Refund",
    "Regulation",
    "Representation",
    "StaffMembership",
    "TimelineEvent",
    "User",
]
