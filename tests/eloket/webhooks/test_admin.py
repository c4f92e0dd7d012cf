"""The coordinator's screens under /beheer/: API keys (token shown once, only its hash kept, revoke),
webhooks (secret, rotation), the delivery log with redelivery; all scoped to their organisations."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from eloket.models import ApiKey, ApiScope, EventType, OutboxEvent, WebhookDelivery, WebhookEndpoint
from eloket.webhooks import webhooks_fan_out
from eloket.webhooks.tasks import webhooks_deliver_events
from tests.eloket.webhooks.conftest import Answer, coordinator_make, endpoint_make, event_make
from tests.factories import UserFactory, staff_login
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db

D = WebhookDelivery.Status


@pytest.fixture
def genk_coordinator(genk):
    return coordinator_make(genk, username="coordinator-genk")


@pytest.fixture
def hasselt_coordinator(hasselt):
    return coordinator_make(hasselt, username="coordinator-hasselt")


def key_create(
    client, organisation, *, name="Scanwagen", scopes=(ApiScope.DOSSIERS_WRITE, ApiScope.RIGHTS_CHECK)
):
    return client.post(
        reverse("eloket_api_keys:add"),
        {
            "organisation": organisation.pk,
            "name": name,
            "scopes": list(scopes),
            "rights_check_per_minute": 120,
        },
    )


def shown_token(response) -> str:
    return re.search(r'id="api-token" type="text" readonly value="([^"]+)"', response.content.decode()).group(
        1
    )


def test_a_new_api_key_is_shown_once_and_only_its_hash_is_kept(client, genk, genk_coordinator):
    client.force_login(genk_coordinator)

    response = key_create(client, genk)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = shown_token(response)
    key = ApiKey.objects.get()
    prefix, secret = token.removeprefix("elk_").split(".", 1)
    assert token.startswith("elk_") and prefix == key.prefix
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest() == ApiKey.hash_secret(secret)
    assert secret not in str(ApiKey.objects.values().get())
    assert (key.organisation, key.name, key.created_by) == (genk, "Scanwagen", genk_coordinator)
    assert key.scopes == sorted([ApiScope.DOSSIERS_WRITE, ApiScope.RIGHTS_CHECK])
    assert key.rights_check_per_minute == 120
    for page in (reverse("eloket_api_keys:index"), reverse("eloket_api_keys:edit", args=[key.pk])):
        content = client.get(page).content.decode()
        assert key.prefix in content
        assert secret not in content
    assert ModelLogEntry.objects.filter(action="eloket.api_key.create", user=genk_coordinator).count() == 1


def test_a_key_is_made_only_for_an_organisation_the_user_coordinates(client, genk, hasselt, genk_coordinator):
    client.force_login(genk_coordinator)
    response = key_create(client, hasselt)
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_revoking_a_key_records_when_and_who(client, genk, genk_coordinator):
    client.force_login(genk_coordinator)
    key_create(client, genk)
    key = ApiKey.objects.get()
    revoke = reverse("eloket_api_keys:revoke", args=[key.pk])

    assert key.prefix in client.get(revoke).content.decode()
    response = client.post(revoke)

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.is_active
    assert ModelLogEntry.objects.filter(action="eloket.api_key.revoke", user=genk_coordinator).exists()
    first = key.revoked_at
    client.post(revoke)
    key.refresh_from_db()
    assert key.revoked_at == first


def test_editing_a_key_changes_its_rights_not_its_secret(client, genk, genk_coordinator):
    client.force_login(genk_coordinator)
    key_create(client, genk)
    key = ApiKey.objects.get()
    response = client.post(
        reverse("eloket_api_keys:edit", args=[key.pk]),
        {"name": "Scanwagen 2", "scopes": [ApiScope.DOSSIERS_READ], "rights_check_per_minute": 60},
    )
    assert response.status_code == 302
    before = key.secret_hash
    key.refresh_from_db()
    assert (key.name, key.scopes, key.rights_check_per_minute) == (
        "Scanwagen 2",
        [ApiScope.DOSSIERS_READ],
        60,
    )
    assert key.secret_hash == before


def test_a_coordinator_of_another_organisation_cannot_see_edit_or_revoke_a_key(
    client, genk, genk_coordinator, hasselt_coordinator
):
    client.force_login(genk_coordinator)
    key_create(client, genk)
    key = ApiKey.objects.get()

    client.force_login(hasselt_coordinator)
    assert key.prefix not in client.get(reverse("eloket_api_keys:index")).content.decode()
    for url in (
        reverse("eloket_api_keys:edit", args=[key.pk]),
        reverse("eloket_api_keys:revoke", args=[key.pk]),
        reverse("eloket_api_keys:history", args=[key.pk]),
    ):
        assert client.get(url, follow=True).status_code == 404
    assert client.post(reverse("eloket_api_keys:revoke", args=[key.pk]), follow=True).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_clerks_do_not_see_or_open_keys_and_webhooks(client, genk, genk_coordinator):
    clerk = clerk_make(organisations=[genk])
    endpoint = endpoint_make(genk, "https://genk.example/hook")
    secret = endpoint.secret
    client.force_login(clerk)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Koppelingen" not in home
    for url in (
        reverse("eloket_api_keys:index"),
        reverse("eloket_webhooks:index"),
        reverse("eloket_webhooks:deliveries", args=[endpoint.pk]),
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert client.post(reverse("eloket_webhooks:rotate", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret == secret

    client.force_login(genk_coordinator)
    assert "Koppelingen" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_superuser_sees_every_organisations_keys(
    client, genk, hasselt, genk_coordinator, hasselt_coordinator
):
    client.force_login(genk_coordinator)
    key_create(client, genk, name="Genk-systeem")
    client.force_login(hasselt_coordinator)
    key_create(client, hasselt, name="Hasselt-systeem")

    staff_login(client, UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("eloket_api_keys:index")).content.decode()
    assert "Genk-systeem" in listing and "Hasselt-systeem" in listing


def test_a_coordinator_adds_a_webhook_sees_its_secret_and_rotates_it(
    client, genk, genk_coordinator, settings
):
    client.force_login(genk_coordinator)
    response = client.post(
        reverse("eloket_webhooks:add"),
        {
            "organisation": genk.pk,
            "url": "https://ict.genk.example/eloket",
            "events": [EventType.DOSSIER_PAID, EventType.DECISION],
            "active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == reverse("eloket_webhooks:edit", args=[endpoint.pk])
    assert endpoint.events == sorted([EventType.DOSSIER_PAID, EventType.DECISION])
    assert endpoint.secret in client.get(response["Location"]).content.decode()
    listing = client.get(reverse("eloket_webhooks:index")).content.decode()
    assert "https://ict.genk.example/eloket" in listing and "Beslissing genomen, Dossier betaald" in listing

    old = endpoint.secret
    client.post(reverse("eloket_webhooks:rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and len(endpoint.secret) == 64
    assert ModelLogEntry.objects.filter(action="eloket.webhook.rotate_secret").count() == 1

    settings.WEBHOOK_ALLOW_LOCAL = False  # as in production
    response = client.post(
        reverse("eloket_webhooks:edit", args=[endpoint.pk]),
        {"url": "http://ict.genk.example/eloket", "events": [EventType.DOSSIER_PAID]},
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    endpoint.refresh_from_db()
    assert endpoint.url == "https://ict.genk.example/eloket"


@pytest.fixture
def failed_delivery(genk, genk_dossier, receiver):
    endpoint = endpoint_make(genk, receiver.url, receiver=receiver)
    event = event_make(genk, type=EventType.DECISION, dossier=genk_dossier, data={"decision": "upheld"})
    webhooks_fan_out(list(OutboxEvent.objects.select_related("organisation", "dossier")))
    receiver.answers.append(Answer(status=500, body=b"database down"))
    webhooks_deliver_events([event.pk])
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == D.FAILED
    return delivery


def test_the_delivery_log_shows_attempts_and_answers_and_redelivers_at_once(
    client, genk_coordinator, failed_delivery, receiver, django_capture_on_commit_callbacks
):
    client.force_login(genk_coordinator)
    log = client.get(
        reverse("eloket_webhooks:deliveries", args=[failed_delivery.endpoint_id])
    ).content.decode()
    assert str(failed_delivery.event.event_id) in log
    assert "HTTP 500" in log and "database down" in log
    assert "Mislukt, wordt opnieuw geprobeerd" in log

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eloket_webhooks:redeliver", args=[failed_delivery.pk]))

    assert response.status_code == 302
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts, failed_delivery.response_status) == (
        D.SUCCEEDED,
        2,
        200,
    )
    assert [request.json()["id"] for request in receiver.requests] == [
        str(failed_delivery.event.event_id)
    ] * 2
    assert all(request.verified for request in receiver.requests[1:])
    assert ModelLogEntry.objects.filter(action="eloket.webhook.redeliver", user=genk_coordinator).count() == 1


def test_a_given_up_delivery_can_be_sent_once_more_by_hand(
    client, genk_coordinator, failed_delivery, receiver, settings, django_capture_on_commit_callbacks
):
    WebhookDelivery.objects.filter(pk=failed_delivery.pk).update(
        status=D.GAVE_UP, attempts=6, next_attempt_at=None
    )
    receiver.answers.append(Answer(status=502))
    client.force_login(genk_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eloket_webhooks:redeliver", args=[failed_delivery.pk]))
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == (D.GAVE_UP, 7)  # one more try, no new series


def test_a_coordinator_of_another_organisation_cannot_see_the_log_or_redeliver(
    client, hasselt_coordinator, failed_delivery, receiver, django_capture_on_commit_callbacks
):
    client.force_login(hasselt_coordinator)
    endpoint_id = failed_delivery.endpoint_id
    for name in ("deliveries", "edit", "rotate", "history"):
        assert (
            client.get(reverse(f"eloket_webhooks:{name}", args=[endpoint_id]), follow=True).status_code == 404
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eloket_webhooks:redeliver", args=[failed_delivery.pk]), follow=True)
    assert response.status_code == 404
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == (D.FAILED, 1)
    assert len(receiver.requests) == 1


def test_a_city_key_with_the_providers_scope_is_a_form_error_and_no_key_is_made(
    client, genk, genk_coordinator
):
    client.force_login(genk_coordinator)

    response = key_create(client, genk, scopes=(ApiScope.RIGHTS_CHECK, ApiScope.SESSIONS_WRITE))

    assert response.status_code == 200
    assert "Parkeersessies melden kan alleen een aanbieder van mobiel parkeren" in response.content.decode()
    assert not ApiKey.objects.exists()
