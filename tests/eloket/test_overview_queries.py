"""The overview's number of queries depends on nothing but the page: not on how many dossiers the party
has, nor in how many municipalities (DESIGN §7: pages slow down only with what one user sees)."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from eloket import services
from eloket.constants import DossierKind as K
from eloket.constants import DossierStatus as S
from eloket.constants import OrganisationKind, RepresentationRole
from eloket.identifiers import parse_national_number
from eloket.models import Municipality, Organisation, Regulation, User
from eloket.scale import synthetic_national_number

pytestmark = pytest.mark.django_db

TARIFFS = {
    K.PARKING_RETRIBUTION: {"forfait": 2500},
    K.GAS4: {"category_1": 5800, "category_2": 11600},
    K.RESIDENT_PERMIT: {"fee": 3000},
}


@pytest.fixture
def handlers():
    """Seven municipalities served by one city, with a regulation per kind."""
    municipalities = [
        Municipality.objects.create(nis_code=f"0980{i}", slug=f"test-{i}", name_nl=f"Gemeente {i}")
        for i in range(7)
    ]
    city = Organisation.objects.create(
        slug="test-city",
        kind=OrganisationKind.CITY,
        name_nl="Stad",
        iban="BE65999000012396",
        account_holder="Stad",
        email="stad@test.example",
    )
    city.municipalities.set(municipalities)
    regulations = {
        kind: Regulation.objects.create(
            organisation=city, kind=kind, code=kind, title=kind, valid_from=dt.date(2024, 1, 1), tariff=tariff
        )
        for kind, tariff in TARIFFS.items()
    }
    return city, municipalities, regulations


@pytest.fixture
def citizen(client):
    """A logged-in citizen acting as themselves."""
    party, _created = services.party_get_or_create(
        identifier=parse_national_number(synthetic_national_number(123)), display_name="An Peeters"
    )
    user = User.objects.create(username="an")
    services.representation_add(user=user, party=party, role=RepresentationRole.SELF)
    client.force_login(user)
    return party


def add_dossiers(party, handlers, count: int) -> None:
    """``count`` dossiers of three kinds in every municipality, some open, some paid, some contested."""
    city, municipalities, regulations = handlers
    kinds = itertools.cycle(TARIFFS)
    for i in range(count):
        kind = next(kinds)
        dossier = services.dossier_create(
            kind=kind,
            party=party,
            organisation=city,
            municipality=municipalities[i % len(municipalities)],
            regulation=regulations[kind],
            external_id=f"{party.pk}-{i}-{timezone.now().timestamp()}",
            gas_category=1 if kind == K.GAS4 else None,
            occurred_at=timezone.now() - dt.timedelta(days=i),
        )
        if kind != K.RESIDENT_PERMIT and i % 2:
            services.dossier_transition(dossier_id=dossier.pk, to_status=S.NOTIFIED)
            if kind == K.PARKING_RETRIBUTION and i % 4 == 1:
                services.dossier_transition(dossier_id=dossier.pk, to_status=S.CONTESTED)


QUERIES = ["", "?sort=deadline", "?sort=amount&status=notified", "?kind=gas4&municipality=", "?pagina=2"]


def overview_queries(client, query: str) -> list[str]:
    with translation.override("nl"):
        url = reverse("eloket:overview") + query
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_overview_runs_as_many_queries_for_500_dossiers_as_for_10(client, citizen, handlers):
    add_dossiers(citizen, handlers, 10)
    at_10 = {query: overview_queries(client, query) for query in QUERIES}

    add_dossiers(citizen, handlers, 490)
    at_500 = {query: overview_queries(client, query) for query in QUERIES}

    for query in QUERIES:
        assert len(at_500[query]) == len(at_10[query]), f"{query!r}:\n" + "\n".join(at_500[query])
    with translation.override("nl"):
        page = client.get(reverse("eloket:overview")).context["page"]
    assert page.paginator.count == 500
    assert len(page.object_list) == page.paginator.per_page
