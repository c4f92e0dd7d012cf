"""Every sort of the overview orders by what the table shows, across kinds and across pages (issue 17,
point 1): the data are made so that an order by arrival (a city's batch of permits, then its fines,
a 2025 fine sent late) or by kind would give another order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eloket.constants import DossierKind
from eloket.middleware import ACTING_PARTY_SESSION_KEY
from eloket.models import Dossier
from tests.factories import DossierFactory, UserFactory, enterprise_party, person_party


def at(year: int, month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 10, 0))


def permit(party, *, valid_from: dt.datetime) -> Dossier:
    kind = DossierKind.RESIDENT_PERMIT
    return DossierFactory(party=party, kind=kind, occurred_at=None, valid_from=valid_from, active=True)


def dossiers_of(party) -> dict[str, Dossier]:
    """Made in the order a city's systems would send them: first a batch of permits, then the fines,
    the oldest fine last; so arrival order and kind order both differ from the date order."""
    made = {
        "permit_march": permit(party, valid_from=at(2026, 3, 1)),
        "permit_january": permit(party, valid_from=at(2026, 1, 15)),
        "fine_february": DossierFactory(party=party, occurred_at=at(2026, 2, 10), notified=True),
        "fine_april_paid": DossierFactory(party=party, occurred_at=at(2026, 4, 1), paid=True),
        "gas_2025_late": DossierFactory(
            party=party, kind=DossierKind.GAS4, occurred_at=at(2025, 11, 20), notified=True
        ),
    }  # fmt: skip
    # Payment terms that do not follow the dates: the late 2025 fine is due first.
    Dossier.objects.filter(pk=made["fine_february"].pk).update(pay_by=dt.date(2026, 5, 1))
    Dossier.objects.filter(pk=made["gas_2025_late"].pk).update(pay_by=dt.date(2026, 4, 20))
    return made


EXPECTED = {
    "newest": ["fine_april_paid", "permit_march", "fine_february", "permit_january", "gas_2025_late"],
    "oldest": ["gas_2025_late", "permit_january", "fine_february", "permit_march", "fine_april_paid"],
    # What is still to pay (the permits' fee too), the earliest term first, the same term newest first;
    # then the rest.
    "deadline": ["gas_2025_late", "fine_february", "permit_march", "permit_january", "fine_april_paid"],
    # The amount still due (GAS € 58, each permit € 25, the retribution € 20, the paid one nothing), the
    # same amount newest first.
    "amount": ["gas_2025_late", "permit_march", "permit_january", "fine_february", "fine_april_paid"],
}


def overview_in_pages(client, sort: str) -> list[str]:
    """The references of every page of the overview in this sort, page after page."""
    references, number = [], 1
    while True:
        page = client.get(reverse("eloket:overview"), {"sort": sort, "pagina": number}).context["page"]
        references += [dossier.reference for dossier in page.object_list]
        if not page.has_next():
            return references
        number += 1


@pytest.fixture
def small_pages(db, settings):
    settings.ELOKET_PAGE_SIZE = 2


@pytest.mark.parametrize("sort", sorted(EXPECTED))
def test_the_citizens_overview_sorts_by_what_it_shows_across_kinds_and_pages(client, small_pages, sort):
    user = UserFactory()
    made = dossiers_of(person_party(user=user))
    client.force_login(user)
    assert overview_in_pages(client, sort) == [made[name].reference for name in EXPECTED[sort]]


@pytest.mark.parametrize("sort", sorted(EXPECTED))
def test_the_companys_overview_sorts_the_same_way(client, small_pages, sort):
    user = UserFactory()
    person_party(user=user)
    company = enterprise_party(representative=user)
    made = dossiers_of(company)
    client.force_login(user)
    session = client.session
    session[ACTING_PARTY_SESSION_KEY] = company.pk
    session.save()
    assert overview_in_pages(client, sort) == [made[name].reference for name in EXPECTED[sort]]


def test_newest_first_is_the_default_and_an_unknown_sort_falls_back_to_it(client, small_pages):
    user = UserFactory()
    made = dossiers_of(person_party(user=user))
    client.force_login(user)
    expected = [made[name].reference for name in EXPECTED["newest"]]
    assert overview_in_pages(client, "newest") == expected
    first = client.get(reverse("eloket:overview")).context["page"]
    assert [dossier.reference for dossier in first.object_list] == expected[:2]
    odd = client.get(reverse("eloket:overview"), {"sort": "nonsense"}).context["page"]
    assert [dossier.reference for dossier in odd.object_list] == expected[:2]


def test_the_unfiltered_overview_counts_with_the_totals_and_a_filtered_one_counts_what_it_shows(
    client, small_pages
):
    user = UserFactory()
    dossiers_of(person_party(user=user))
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("eloket:overview")).context["page"]
    assert page.paginator.count == 5 and page.paginator.num_pages == 3
    sql = [query["sql"] for query in queries]
    assert not [text for text in sql if '"__count"' in text]  # the paginator asked no count of its own
    assert any("FROM eloket_dossier d WHERE d.party_id" in text for text in sql)  # the totals counted
    # Nobody reported a parking session for this party: no query for them either.
    assert not [text for text in sql if 'FROM "eloket_parkingsession"' in text]
    permits = client.get(reverse("eloket:overview"), {"kind": DossierKind.RESIDENT_PERMIT}).context["page"]
    assert permits.paginator.count == 2
