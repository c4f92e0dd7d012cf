"""Retention periods in /beheer/: a coordinator sets their own organisation's rows only; the platform
rows (no organisation) are the superuser's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from eloket.models import RetentionPolicy
from tests.eloket.webhooks.conftest import coordinator_make
from tests.factories import MunicipalityFactory, OrganisationFactory, UserFactory, staff_login
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db


def _organisation(name):
    return OrganisationFactory(name_nl=f"Stad {name}", municipalities=[MunicipalityFactory(name_nl=name)])


@pytest.fixture
def genk():
    return _organisation("Genk")


@pytest.fixture
def hasselt():
    return _organisation("Hasselt")


def add(client, organisation, **values):
    data = {
        "organisation": organisation.pk if organisation else "",
        "dossier_kind": "",
        "category": "dossiers",
        "period": 24,
        "unit": "months",
        "action": "delete",
        "reason": "Reglement 2026",
        **values,
    }
    return client.post(reverse("eloket_retention:add"), data)


def test_a_coordinator_sets_a_period_for_their_organisation(client, genk):
    coordinator = coordinator_make(genk, username="coordinator-genk")
    client.force_login(coordinator)

    response = add(client, genk, dossier_kind="gas4")

    assert response.status_code == 302, response.content
    row = RetentionPolicy.objects.get()
    assert (row.organisation, row.dossier_kind, row.period, row.action, row.updated_by) == (
        genk, "gas4", 24, "delete", coordinator,
    )  # fmt: skip


def test_a_coordinator_cannot_set_or_see_another_organisations_or_the_platform_rows(client, genk, hasselt):
    theirs = RetentionPolicy.objects.create(
        organisation=hasselt, category="emails", period=6, action="delete"
    )
    platform = RetentionPolicy.objects.create(category="emails", period=12, action="delete")
    client.force_login(coordinator_make(genk, username="coordinator-genk"))

    assert add(client, hasselt).status_code == 200  # the form refuses the choice
    assert add(client, None).status_code == 200  # an organisation is required
    assert not RetentionPolicy.objects.filter(category="dossiers").exists()
    listing = client.get(reverse("eloket_retention:index"))
    assert listing.status_code == 200
    for row in (theirs, platform):
        assert reverse("eloket_retention:edit", args=[row.pk]) not in listing.content.decode()
    for row in (theirs, platform):
        for view in ("edit", "history", "delete"):
            url = reverse(f"eloket_retention:{view}", args=[row.pk])
            assert client.get(url, follow=True).status_code == 404, url
        client.post(reverse("eloket_retention:delete", args=[row.pk]))
        assert RetentionPolicy.objects.filter(pk=row.pk).exists()


def test_a_period_the_law_does_not_allow_is_refused_with_a_message(client, genk):
    client.force_login(coordinator_make(genk, username="coordinator-genk"))

    response = add(client, genk, category="payments", period=36, unit="months")

    assert response.status_code == 200
    assert "minstens 7 jaar" in response.content.decode()
    assert not RetentionPolicy.objects.exists()


def test_clerks_do_not_see_the_retention_screens(client, genk):
    client.force_login(clerk_make(organisations=[genk]))

    response = client.get(reverse("eloket_retention:index"))

    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


def test_a_superuser_sets_the_platform_row_for_every_organisation(client, genk):
    staff_login(client, UserFactory(is_staff=True, is_superuser=True))

    response = add(client, None, category="emails", period=12, action="anonymise")

    assert response.status_code == 302, response.content
    row = RetentionPolicy.objects.get()
    assert (row.organisation, row.category, row.action) == (None, "emails", "anonymise")
