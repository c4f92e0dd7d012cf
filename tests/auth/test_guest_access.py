"""One dossier without login: reference + plate + the OGM's last four digits open that dossier alone, to
view and pay it; rate-limited and logged without personal identifiers."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from eloket.auth.middleware import GUEST_SESSION_KEY
from eloket.constants import PaymentStatus
from eloket.models import Payment
from tests.eloket.payments.conftest import organisation, stripe_standin  # noqa: F401 - fixtures
from tests.factories import DossierFactory, person_party

pytestmark = pytest.mark.django_db

GUEST_URL = reverse("eloket:guest_access")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def party():
    return person_party(name="Pierre Dupont")


@pytest.fixture
def dossier(party, organisation):  # noqa: F811
    return DossierFactory(party=party, organisation=organisation, plate="F-AB-123-CD", notified=True)


@pytest.fixture
def other_dossier(party, organisation):  # noqa: F811
    return DossierFactory(party=party, organisation=organisation, plate="F-AB-123-CD", notified=True)


def open_with(client, dossier, *, plate=None, check=None, reference=None):
    return client.post(
        GUEST_URL,
        {
            "reference": dossier.reference.lower() if reference is None else reference,
            "plate": "fab123cd" if plate is None else plate,
            "check": dossier.ogm[-4:] if check is None else check,
        },
    )


def test_the_letters_values_open_that_dossier(client, dossier):
    response = open_with(client, dossier)

    assert response.status_code == 302
    assert response["Location"] == reverse("eloket:dossier_detail", args=[dossier.reference])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert dossier.reference in html and 'data-testid="guest-dossier"' in html
    assert "_auth_user_id" not in client.session


def test_nothing_else_of_the_party_is_visible(client, dossier, other_dossier):
    open_with(client, dossier)

    assert client.get(reverse("eloket:dossier_detail", args=[other_dossier.reference])).status_code == 404
    overview = client.get(reverse("eloket:overview"))
    assert overview.status_code == 302 and overview["Location"].startswith(reverse("eloket:login"))
    messages = client.get(reverse("eloket_forms:submission_list"))
    assert messages.status_code == 302
    assert client.get(reverse("payments:pay", args=[other_dossier.reference])).status_code == 404


@pytest.mark.parametrize(
    "wrong",
    [{"plate": "1-XYZ-999"}, {"check": "0000"}, {"check": ""}, {"reference": "RB-0000-000000"}],
)
def test_a_wrong_value_opens_nothing(client, dossier, wrong, caplog):
    if wrong.get("check") == "0000" and dossier.ogm.endswith("0000"):
        wrong = {"check": "1111"}
    with caplog.at_level(logging.INFO, logger="eloket.auth.guest"):
        response = open_with(client, dossier, **wrong)
    assert response.status_code in (400, 404)
    assert GUEST_SESSION_KEY not in client.session
    assert client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).status_code == 302


def test_attempts_are_rate_limited_per_reference(client, dossier, settings):
    settings.GUEST_ACCESS_REFERENCE_RATE = "3/h"
    statuses = [open_with(client, dossier, check="9999" if i < 3 else None).status_code for i in range(4)]
    assert statuses[:3] == [404, 404, 404]
    assert statuses[3] == 429  # even the right values, once the reference's limit is reached
    assert GUEST_SESSION_KEY not in client.session


def test_attempts_are_rate_limited_per_address(client, dossier, other_dossier, settings):
    settings.GUEST_ACCESS_RATE = "2/h"
    open_with(client, dossier, check="9999")
    open_with(client, other_dossier, check="9999")
    assert open_with(client, dossier).status_code == 429


def test_the_log_holds_no_plate_or_check_value(client, dossier, caplog):
    with caplog.at_level(logging.INFO):
        open_with(client, dossier, plate="1-XYZ-999")
        open_with(client, dossier)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "guest_access refused reason=mismatch" in logged
    assert f"guest_access granted dossier={dossier.pk}" in logged
    for secret in ("XYZ999", "1-XYZ-999", "FAB123CD", dossier.ogm[-4:], dossier.party.display_name):
        assert secret not in logged


def test_the_visitor_pays_that_dossier_and_only_that_one(client, dossier, other_dossier, stripe_standin):  # noqa: F811
    open_with(client, dossier)
    page = client.get(reverse("payments:pay", args=[dossier.reference]))
    assert page.status_code == 200 and other_dossier.reference not in page.content.decode()

    response = client.post(
        reverse("payments:pay", args=[dossier.reference]),
        {"dossier": [dossier.reference, other_dossier.reference]},
    )
    assert response.status_code == 400  # another dossier of the party cannot be slipped in
    response = client.post(
        reverse("payments:pay", args=[dossier.reference]), {"dossier": [dossier.reference]}
    )
    assert response.status_code == 303
    payment = Payment.objects.get()
    assert payment.party_id == dossier.party_id and payment.created_by is None
    assert [item.dossier_id for item in payment.items.all()] == [dossier.pk]
    assert payment.status == PaymentStatus.OPEN
    assert client.get(reverse("payments:status", args=[payment.reference])).status_code == 200


def test_closing_ends_the_access(client, dossier):
    open_with(client, dossier)
    response = client.post(reverse("eloket:guest_close"))
    assert response.status_code == 302
    assert client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).status_code == 302


def test_a_logged_in_citizen_goes_to_their_own_overview(client, dossier):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(GUEST_URL)["Location"] == reverse("eloket:overview")
