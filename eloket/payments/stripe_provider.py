"""Stripe behind ``PaymentProvider``: the only module that imports ``stripe``.

Stripe Connect with direct charges: every call carries the organisation's connected account
(``Stripe-Account``), so the money lands in the organisation's own account and refunds come out of
it (docs/decisions/0004-stripe-connect-accounts.md). ``STRIPE_API_BASE`` points the same code at
Stripe or at the local stand-in (``eloket.payments.standin``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging

import stripe
from django.conf import settings

from eloket.payments.provider import (
    CheckoutSession,
    ProviderError,
    ProviderEventData,
    RefundResult,
    SignatureInvalid,
)

logger = logging.getLogger(__name__)

# Stripe's Checkout locales for our languages (Stripe has no Flemish variant: nl is Dutch).
LOCALES = {"nl": "nl", "fr": "fr", "en": "en", "de": "de"}


def _timestamp(value) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None


def _session(data) -> CheckoutSession:
    payment_intent = data.get("payment_intent") or ""
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id", "")
    methods = data.get("payment_method_types") or []
    return CheckoutSession(
        id=data["id"],
        url=data.get("url") or "",
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        amount_cents=int(data.get("amount_total") or 0),
        payment_id=str(payment_intent),
        method=(data.get("metadata") or {}).get("method_used", methods[0] if len(methods) == 1 else ""),
        expires_at=_timestamp(data.get("expires_at")),
        metadata=dict(data.get("metadata") or {}),
    )


def _refund(data) -> RefundResult:
    return RefundResult(
        id=data["id"],
        status=data.get("status") or "",
        amount_cents=int(data.get("amount") or 0),
        metadata=dict(data.get("metadata") or {}),
    )


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str,
        timeout_s: float = 10,
        network_retries: int = 1,
    ):
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            # Retries are safe (every create carries an idempotency key); with the timeout they bound
            # how long a citizen's request waits for a Stripe that does not answer: (retries + 1) ×
            # timeout plus the SDK's back-off must stay below gunicorn's worker timeout (30 s), or the
            # worker is killed mid-request instead of answering "try again later".
            max_network_retries=network_retries,
            http_client=stripe.RequestsClient(timeout=timeout_s),
        )

    @classmethod
    def from_settings(cls) -> StripeProvider:
        return _provider(
            settings.STRIPE_SECRET_KEY,
            settings.STRIPE_WEBHOOK_SECRET,
            settings.STRIPE_API_BASE,
            settings.STRIPE_TIMEOUT_SECONDS,
            settings.STRIPE_NETWORK_RETRIES,
        )

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
    ) -> CheckoutSession:
        params = {
            "mode": "payment",
            "payment_method_types": list(methods),
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": amount_cents,
                        "product_data": {"name": description[:250]},
                    },
                }
            ],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": metadata.get("payment", ""),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": description[:250]},
            "locale": LOCALES.get(locale, "auto"),
            "expires_at": int(expires_at.timestamp()),
        }
        if customer_email:
            params["customer_email"] = customer_email
        return _session(
            self._call(
                self.client.v1.checkout.sessions.create,
                params,
                {"stripe_account": account, "idempotency_key": idempotency_key},
            )
        )

    def checkout_get(self, *, account: str, session_id: str) -> CheckoutSession:
        return _session(
            self._call(
                functools.partial(self.client.v1.checkout.sessions.retrieve, session_id),
                None,
                {"stripe_account": account},
            )
        )

    def checkout_expire(self, *, account: str, session_id: str) -> CheckoutSession:
        return _session(
            self._call(
                functools.partial(self.client.v1.checkout.sessions.expire, session_id),
                None,
                {"stripe_account": account},
            )
        )

    def refund_create(
        self,
        *,
        account: str,
        payment_id: str,
        amount_cents: int,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> RefundResult:
        params = {"payment_intent": payment_id, "amount": amount_cents, "metadata": metadata}
        return _refund(
            self._call(
                self.client.v1.refunds.create,
                params,
                {"stripe_account": account, "idempotency_key": idempotency_key},
            )
        )

    def refund_get(self, *, account: str, refund_id: str) -> RefundResult:
        return _refund(
            self._call(
                functools.partial(self.client.v1.refunds.retrieve, refund_id),
                None,
                {"stripe_account": account},
            )
        )

    def event_verify(self, *, payload: bytes, signature: str) -> ProviderEventData:
        """Check ``Stripe-Signature`` (``t=…,v1=…``, HMAC-SHA256 with the endpoint's secret, within
        Stripe's tolerance of five minutes) and read the event. Raises ``SignatureInvalid``."""
        text = payload.decode("utf-8", errors="replace")
        try:
            stripe.WebhookSignature.verify_header(text, signature, self.webhook_secret, tolerance=300)
        except stripe.SignatureVerificationError as error:
            raise SignatureInvalid(str(error)) from None
        try:
            data = json.loads(text)
            return ProviderEventData(
                id=str(data["id"]),
                type=str(data["type"]),
                account=str(data.get("account") or ""),
                object=dict(data["data"]["object"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise SignatureInvalid(f"not an event: {type(error).__name__}") from None

    def session_from_event(self, event: ProviderEventData) -> CheckoutSession:
        return _session(event.object)

    def refunds_from_event(self, event: ProviderEventData) -> list[RefundResult]:
        obj = event.object
        if obj.get("object") == "charge":  # charge.refunded: the charge with its list of refunds
            return [_refund(item) for item in (obj.get("refunds") or {}).get("data") or []]
        return [_refund(obj)]

    @staticmethod
    def _call(method, params, options):
        try:
            result = method(options=options) if params is None else method(params=params, options=options)
            return result.to_dict()
        except stripe.StripeError as error:
            logger.warning(
                "payment_provider_error code=%s status=%s", getattr(error, "code", ""), error.http_status
            )
            status = error.http_status or 0
            permanent = 400 <= status < 500 and status not in (409, 429)
            raise ProviderError(
                str(error.user_message or type(error).__name__), permanent=permanent
            ) from error


@functools.cache
def _provider(
    secret_key: str, webhook_secret: str, api_base: str, timeout_s: float, network_retries: int
) -> StripeProvider:
    """One client per configuration: it keeps its HTTP connections between calls."""
    return StripeProvider(
        secret_key=secret_key,
        webhook_secret=webhook_secret,
        api_base=api_base,
        timeout_s=timeout_s,
        network_retries=network_retries,
    )
