"""The one interface every online payment provider implements, and the data it hands back.

Services talk to ``provider_get()``; only the implementation (``stripe_provider``) knows the SDK.
Amounts are integer cents; the provider's states are mapped to ours in the services, not here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the call; nothing was changed on our side.

    ``permanent``: the provider refused the request itself (a 4xx other than a conflict or rate
    limit), so asking again will not help.
    """

    def __init__(self, message: str = "", *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SignatureInvalid(Exception):
    """A webhook whose signature does not verify with our secret: it is not from the provider."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    # Provider states, kept as the provider names them: status open | complete | expired;
    # payment_status paid | unpaid | no_payment_required.
    status: str
    payment_status: str
    amount_cents: int
    payment_id: str = ""
    method: str = ""
    expires_at: dt.datetime | None = None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    id: str
    # pending | succeeded | failed | canceled | requires_action
    status: str
    amount_cents: int
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderEventData:
    """A verified webhook event: its id (stored once), type, connected account and object."""

    id: str
    type: str
    account: str
    object: dict

    @property
    def object_id(self) -> str:
        return str(self.object.get("id", ""))


class PaymentProvider(Protocol):
    name: str

    def checkout_create(
        self,
        *,
        account: str,
        amount_cents: int,
        description: str,
        methods: list[str],
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        metadata: dict[str, str],
        locale: str,
        expires_at: dt.datetime,
        customer_email: str = "",
    ) -> CheckoutSession: ...

    def checkout_get(self, *, account: str, session_id: str) -> CheckoutSession: ...

    def checkout_expire(self, *, account: str, session_id: str) -> CheckoutSession: ...

    def refund_create(
        self,
        *,
        account: str,
        payment_id: str,
        amount_cents: int,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> RefundResult: ...

    def refund_get(self, *, account: str, refund_id: str) -> RefundResult: ...

    def event_verify(self, *, payload: bytes, signature: str) -> ProviderEventData: ...

    def session_from_event(self, event: ProviderEventData) -> CheckoutSession: ...

    def refunds_from_event(self, event: ProviderEventData) -> list[RefundResult]: ...


def provider_get() -> PaymentProvider:
    """The configured provider: Stripe, pointed by settings at Stripe or at the local stand-in."""
    from eloket.payments.stripe_provider import StripeProvider

    return StripeProvider.from_settings()
