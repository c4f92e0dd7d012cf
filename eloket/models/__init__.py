from eloket.models.dossiers import Dossier, Evidence, TimelineEvent
from eloket.models.integrations import (
    ApiKey,
    ApiScope,
    DigestLine,
    EventType,
    ImportRun,
    OutboxEvent,
    PermitMatch,
    PermitScope,
    WebhookDelivery,
    WebhookEndpoint,
)
from eloket.models.letters import Letter, LetterBatch, LetterKind, LetterText, PostalAddress
from eloket.models.notifications import Notification
from eloket.models.organisations import Municipality, Organisation, Regulation, StaffMembership
from eloket.models.parking import (
    ParkingArea,
    ParkingAreaStreet,
    ParkingSession,
    SessionMatch,
    SessionNearMatch,
)
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
from eloket.models.profile import ProfileAnnouncement
from eloket.models.retention import RetentionPolicy

__all__ = [
    "ApiKey",
    "ApiScope",
    "BankMovement",
    "CodaImport",
    "DigestLine",
    "Dossier",
    "EventType",
    "Evidence",
    "ImportRun",
    "Letter",
    "LetterBatch",
    "LetterKind",
    "LetterText",
    "Municipality",
    "Notification",
    "Organisation",
    "OutboxEvent",
    "ParkingArea",
    "ParkingAreaStreet",
    "ParkingSession",
    "Party",
    "Payment",
    "PaymentAccount",
    "PaymentItem",
    "PermitMatch",
    "PermitScope",
    "PostalAddress",
    "ProfileAnnouncement",
    "ProviderEvent",
    "Refund",
    "Regulation",
    "Representation",
    "RetentionPolicy",
    "SessionMatch",
    "SessionNearMatch",
    "StaffMembership",
    "TimelineEvent",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
