"""The Stripe stand-in in a thread for each test, with the real ``stripe`` SDK pointed at it.

The stand-in signs its webhooks as Stripe does; they are collected and handed to our endpoint through
Django's test client (``webhooks_deliver``), so every database write happens in the test's thread.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from eloket.models import PaymentAccount
from eloket.payments.standin import serve
from tests.factories import DossierFactory, OrganisationFactory, UserFactory, person_party

WEBHOOK_URL = "/betalingen/webhook/stripe/"


class StandInHarness:
    def __init__(self, *, webhook_secret: str):
        self.inbox: list[tuple[bytes, dict]] = []
        self.running = serve(
            deliver=self.collect, async_delay_s=0, refund_delay_s=0, webhook_secret=webhook_secret
        )
        self.standin = self.running.standin
        self.url = self.running.url

    def collect(self, url, body, headers) -> int:
        self.inbox.append((body, headers))
        return 200

    def take(self) -> list[tuple[bytes, dict]]:
        self.standin.drain()
        taken, self.inbox[:] = list(self.inbox), []
        return taken


@pytest.fixture
def stripe_standin(settings):
    harness = StandInHarness(webhook_secret=settings.STRIPE_WEBHOOK_SECRET)
    settings.STRIPE_API_BASE = harness.url
    settings.PAYMENTS_ONLINE = True
    yield harness
    harness.running.stop()


def post_webhook(client, body: bytes, signature: str):
    return client.post(
        WEBHOOK_URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def webhooks_deliver(client, harness: StandInHarness) -> list[str]:
    """Post every webhook the stand-in sent since the last call; returns our endpoint's results."""
    results = []
    for body, headers in harness.take():
        response = post_webhook(client, body, headers["Stripe-Signature"])
        assert response.status_code == 200, response.content
        results.append(response.json()["result"])
    return results


@pytest.fixture
def organisation(db):
    organisation = OrganisationFactory(name_nl="Stad Genk", account_holder="Stad Genk")
    PaymentAccount.objects.create(organisation=organisation, stripe_account_id=f"acct_{organisation.slug}")
    return organisation


@pytest.fixture
def citizen(db):
    user = UserFactory()
    party = person_party(user=user)
    return user, party


@pytest.fixture
def dossier(citizen, organisation):
    _user, party = citizen
    return DossierFactory(party=party, organisation=organisation, notified=True)


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen[0])
    return client


def pay_url(dossier) -> str:
    return reverse("payments:pay", args=[dossier.reference])


def decide(capture, **decision):
    """A decision (``eloket.services.dossier_decide``), then the outbox dispatch that the commit pokes
    (``eloket.payments.services.refunds_fan_out`` makes the refunds there), with their tasks run."""
    from eloket import services as eloket_services
    from eloket.outbox import outbox_dispatch

    with capture(execute=True):
        result = eloket_services.dossier_decide(**decision)
    with capture(execute=True):
        outbox_dispatch()
    return result
