"""The Stripe stand-in answers the real ``stripe`` SDK as Stripe does for the calls we use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from eloket.payments.provider import ProviderError, SignatureInvalid
from eloket.payments.standin import StripeError
from eloket.payments.stripe_provider import StripeProvider


@pytest.fixture
def provider(stripe_standin, settings):
    return StripeProvider(
        secret_key="sk_test_x", webhook_secret=settings.STRIPE_WEBHOOK_SECRET, api_base=stripe_standin.url
    )


def create(provider, *, key="k1", amount=5800, account="acct_1"):
    return provider.checkout_create(
        account=account,
        amount_cents=amount,
        description="GAS 4",
        methods=["bancontact"],
        success_url="http://eloket.test/ok",
        cancel_url="http://eloket.test/terug",
        idempotency_key=key,
        metadata={"payment": "BET-1"},
        locale="nl",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )


def test_a_session_is_created_retrieved_and_the_same_key_gives_the_same_session(provider):
    session = create(provider)
    assert (session.status, session.payment_status, session.amount_cents) == ("open", "unpaid", 5800)
    assert create(provider).id == session.id
    assert provider.checkout_get(account="acct_1", session_id=session.id).metadata["payment"] == "BET-1"


def test_the_same_key_with_other_parameters_is_refused(provider):
    create(provider)
    with pytest.raises(ProviderError):
        create(provider, amount=100)


def test_another_account_does_not_see_the_session(provider):
    session = create(provider)
    with pytest.raises(ProviderError):
        provider.checkout_get(account="acct_2", session_id=session.id)


def test_a_paid_session_sends_a_signed_completed_event_and_can_be_refunded_once(provider, stripe_standin):
    session = create(provider)
    stripe_standin.standin.checkout_action(session.id, "bancontact")
    [(body, headers)] = stripe_standin.take()
    event = provider.event_verify(payload=body, signature=headers["Stripe-Signature"])
    assert (event.type, event.account) == ("checkout.session.completed", "acct_1")
    paid = provider.checkout_get(account="acct_1", session_id=session.id)
    refund = provider.refund_create(
        account="acct_1", payment_id=paid.payment_id, amount_cents=5800, idempotency_key="r1", metadata={}
    )
    assert refund.amount_cents == 5800
    with pytest.raises(ProviderError):
        provider.refund_create(
            account="acct_1", payment_id=paid.payment_id, amount_cents=1, idempotency_key="r2", metadata={}
        )
    with pytest.raises(SignatureInvalid):
        provider.event_verify(payload=body + b" ", signature=headers["Stripe-Signature"])


def test_an_open_session_expires_and_a_method_it_does_not_offer_is_refused(provider, stripe_standin):
    session = create(provider)
    with pytest.raises(StripeError):
        stripe_standin.standin.checkout_action(session.id, "card")
    expired = provider.checkout_expire(account="acct_1", session_id=session.id)
    assert expired.status == "expired"
    with pytest.raises(ProviderError):
        provider.checkout_expire(account="acct_1", session_id=session.id)
