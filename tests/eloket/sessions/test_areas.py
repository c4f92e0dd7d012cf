"""Parking areas (eloket.sessions.areas): written through one service with their street keys and
neighbours, the grace minutes of the regulation version valid that day, the admin screens scoped to
the staff's organisations, and the scopes a provider's key may hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from eloket.constants import DossierKind, OrganisationKind
from eloket.integrations import api_key_create, api_key_scopes_clean
from eloket.models import ApiScope
from eloket.models.parking import ParkingArea
from eloket.sessions.areas import (
    AreaInUse,
    grace_minutes_for,
    parking_area_delete,
    parking_area_save,
)
from tests.eloket.sessions.conftest import area_make
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    RegulationFactory,
    UserFactory,
    staff_login,
)
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def genk():
    municipality = MunicipalityFactory(name_nl="Genk")
    return OrganisationFactory(name_nl="Stad Genk", municipalities=[municipality])


@pytest.fixture
def hasselt():
    municipality = MunicipalityFactory(name_nl="Hasselt")
    return OrganisationFactory(name_nl="Stad Hasselt", municipalities=[municipality])


def new_area(organisation, code, **fields):
    return ParkingArea(
        municipality=organisation.municipalities.get(),
        organisation=organisation,
        code=code,
        name_nl=fields.pop("name_nl", f"Zone {code}"),
        **fields,
    )


def keys(area):
    return sorted(area.street_keys.values_list("street_key", flat=True))


# -- parking_area_save ------------------------------------------------------------------------------------


def test_the_code_is_normalised_and_the_streets_become_their_keys(genk):
    area = parking_area_save(area=new_area(genk, " gnk  c1 "), streets=["Sint-Jansstraat", "Markt", "markt "])

    assert area.code == "GNK C1"
    assert area.streets == ["Sint-Jansstraat", "Markt"]
    assert keys(area) == ["markt", "sintjansstraat"]


def test_saving_again_rebuilds_the_street_keys_and_none_keeps_them(genk):
    area = parking_area_save(area=new_area(genk, "C1"), streets=["Markt", "Stadsplein"])
    parking_area_save(area=area, streets=["St. Jansstraat", "Markt"])
    assert keys(area) == ["markt", "sintjansstraat"]

    area.name_fr = "Centre"
    parking_area_save(area=area)
    assert keys(area) == ["markt", "sintjansstraat"]
    assert ParkingArea.objects.get(pk=area.pk).name_fr == "Centre"


def test_neighbours_are_set_both_ways_within_the_municipality_only(genk, hasselt):
    c1 = parking_area_save(area=new_area(genk, "C1"))
    c2 = parking_area_save(area=new_area(genk, "C2"))
    elsewhere = parking_area_save(area=new_area(hasselt, "C3"))

    parking_area_save(area=c1, neighbour_codes=["c2", "C1"])  # itself is ignored
    assert list(c2.neighbours.all()) == [c1]

    with pytest.raises(ValidationError) as refused:
        parking_area_save(area=c1, neighbour_codes=[elsewhere.code])
    assert "neighbours" in refused.value.message_dict
    assert list(c1.neighbours.all()) == [c2]  # nothing changed


def test_an_invalid_area_is_refused_per_field_and_nothing_is_written(genk):
    provider = OrganisationFactory(
        kind=OrganisationKind.PARKING_PROVIDER, municipalities=list(genk.municipalities.all())
    )
    with pytest.raises(ValidationError) as no_name:
        parking_area_save(area=new_area(genk, "C1", name_nl=""), streets=["Markt"])
    with pytest.raises(ValidationError) as bad_polygon:
        parking_area_save(area=new_area(genk, "C1", polygon={"type": "Polygon", "coordinates": [[[5, 50]]]}))
    with pytest.raises(ValidationError) as by_provider:
        parking_area_save(area=new_area(provider, "C1"))

    assert "name_nl" in no_name.value.message_dict
    assert "polygon" in bad_polygon.value.message_dict
    assert "organisation" in by_provider.value.message_dict
    assert not ParkingArea.objects.exists()


def test_a_valid_polygon_is_kept(genk):
    ring = [[5.49, 50.96], [5.51, 50.96], [5.51, 50.97], [5.49, 50.96]]
    area = parking_area_save(area=new_area(genk, "C1", polygon={"type": "Polygon", "coordinates": [ring]}))
    assert ParkingArea.objects.get(pk=area.pk).polygon["coordinates"] == [ring]


def test_an_area_with_sessions_is_not_deleted(session_city):
    session_city.session()
    with pytest.raises(AreaInUse):
        parking_area_delete(area=session_city.area)
    empty = session_city.area_make("C9")
    parking_area_delete(area=empty)
    assert list(ParkingArea.objects.values_list("code", flat=True)) == [session_city.area.code]


# -- grace_minutes_for ------------------------------------------------------------------------------------


def test_grace_minutes_come_from_the_regulation_valid_that_day(genk):
    municipality = genk.municipalities.get()
    RegulationFactory(
        organisation=genk,
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
        session_grace_minutes=5,
    )
    RegulationFactory(organisation=genk, valid_from=dt.date(2025, 1, 1), session_grace_minutes=10)
    RegulationFactory(
        organisation=genk, kind=DossierKind.GAS4, valid_from=dt.date(2025, 6, 1), session_grace_minutes=30
    )

    def grace(day):
        return grace_minutes_for(organisation_id=genk.pk, municipality_id=municipality.pk, on=day)

    assert grace(dt.date(2023, 12, 31)) == 0
    assert grace(dt.date(2024, 6, 1)) == 5
    assert grace(dt.date(2025, 7, 1)) == 10


def test_a_regulation_for_the_municipality_goes_before_one_for_all(genk):
    municipality = genk.municipalities.get()
    other = MunicipalityFactory()
    RegulationFactory(
        organisation=genk, municipality=None, valid_from=dt.date(2025, 1, 1), session_grace_minutes=3
    )
    RegulationFactory(
        organisation=genk, municipality=municipality, valid_from=dt.date(2024, 1, 1), session_grace_minutes=7
    )

    day = dt.date(2025, 6, 1)
    assert grace_minutes_for(organisation_id=genk.pk, municipality_id=municipality.pk, on=day) == 7
    assert grace_minutes_for(organisation_id=genk.pk, municipality_id=other.pk, on=day) == 3
    assert grace_minutes_for(organisation_id=OrganisationFactory().pk, municipality_id=other.pk, on=day) == 0


# -- the admin --------------------------------------------------------------------------------------------


@pytest.fixture
def two_cities(genk, hasselt):
    return (
        area_make(genk.municipalities.get(), genk, "GNK-C1", streets=["Markt"]),
        area_make(hasselt.municipalities.get(), hasselt, "HAS-C1"),
    )


def test_genk_staff_see_and_edit_genk_areas_only(client, genk, hasselt, two_cities):
    ours, theirs = two_cities
    client.force_login(clerk_make(organisations=[genk]))

    listing = client.get(reverse("eloket_parking_areas:index")).content.decode()
    assert "GNK-C1" in listing and "HAS-C1" not in listing
    for view in ("edit", "delete", "history"):
        assert (
            client.get(reverse(f"eloket_parking_areas:{view}", args=[theirs.pk]), follow=True).status_code
            == 404
        ), view
    client.post(reverse("eloket_parking_areas:delete", args=[theirs.pk]))
    assert ParkingArea.objects.filter(pk=theirs.pk).exists()
    assert client.get(reverse("eloket_parking_areas:edit", args=[ours.pk]), follow=True).status_code == 200


def area_form(area, **values):
    data = {
        "municipality": area.municipality_id, "organisation": area.organisation_id, "code": area.code,
        "name_nl": area.name_nl, "name_fr": "", "name_en": "", "name_de": "", "tariff_zone": "",
        "polygon": "null", "active": "on", "streets_text": "", "neighbour_areas": [],
    }  # fmt: skip
    data.update(values)
    return data


def test_editing_an_area_in_the_admin_goes_through_the_service(client, genk, two_cities):
    ours, _theirs = two_cities
    neighbour = area_make(genk.municipalities.get(), genk, "GNK-C2")
    client.force_login(clerk_make(organisations=[genk]))

    response = client.post(
        reverse("eloket_parking_areas:edit", args=[ours.pk]),
        area_form(
            ours, code="gnk-c1", streets_text="Sint-Jansstraat\nMarkt\n", neighbour_areas=[neighbour.pk]
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert keys(ours) == ["markt", "sintjansstraat"]
    assert list(neighbour.neighbours.all()) == [ours]


def test_genk_staff_cannot_create_an_area_for_another_organisation(client, genk, hasselt):
    client.force_login(clerk_make(organisations=[genk]))
    area = new_area(hasselt, "HAS-C9")
    response = client.post(reverse("eloket_parking_areas:add"), area_form(area))

    assert response.status_code == 200  # the form refuses the choice
    assert not ParkingArea.objects.filter(code="HAS-C9").exists()
    created = client.post(reverse("eloket_parking_areas:add"), area_form(new_area(genk, "gnk-c5")))
    assert created.status_code == 302
    assert ParkingArea.objects.get(code="GNK-C5").organisation == genk


def test_an_area_with_sessions_cannot_be_deleted_in_the_admin(client, session_city):
    session_city.session()
    client.force_login(clerk_make(organisations=[session_city.organisation]))
    response = client.post(reverse("eloket_parking_areas:delete", args=[session_city.area.pk]))
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))  # permission denied
    assert ParkingArea.objects.filter(pk=session_city.area.pk).exists()


def test_an_operator_sees_every_area(client, two_cities):
    staff_login(client, UserFactory(is_superuser=True, is_staff=True))
    listing = client.get(reverse("eloket_parking_areas:index"), follow=True).content.decode()
    assert "GNK-C1" in listing and "HAS-C1" in listing


def test_staff_see_the_sessions_reported_in_their_areas_only(client, session_city, hasselt):
    session_city.session(plate="1-GNK-001")
    other_area = area_make(hasselt.municipalities.get(), hasselt, "HAS-C1")
    session_city.session(plate="1-HAS-002", area=other_area)

    client.force_login(clerk_make(organisations=[session_city.organisation]))
    listing = client.get(reverse("eloket_parking_sessions:index"))
    assert listing.status_code == 200
    assert "1-GNK-001" in listing.content.decode() and "1-HAS-002" not in listing.content.decode()

    client.force_login(clerk_make(organisations=[hasselt]))
    listing = client.get(reverse("eloket_parking_sessions:index")).content.decode()
    assert "1-HAS-002" in listing and "1-GNK-001" not in listing
    filtered = client.get(reverse("eloket_parking_sessions:index"), {"area": session_city.area.pk})
    assert filtered.status_code == 200 and "1-GNK-001" not in filtered.content.decode()
    mine = client.get(reverse("eloket_parking_sessions:index"), {"area": other_area.pk}).content.decode()
    assert "1-HAS-002" in mine


def test_nobody_edits_a_session_in_the_admin(client, session_city):
    session = session_city.session()
    client.force_login(clerk_make(organisations=[session_city.organisation]))
    for url in (
        reverse("eloket_parking_sessions:edit", args=[session.pk]),
        reverse("eloket_parking_sessions:add"),
    ):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home")), url


def test_the_regulation_screen_edits_the_session_minutes():
    from eloket.wagtail_hooks import RegulationViewSet

    assert {"session_grace_minutes", "session_near_minutes"} <= set(RegulationViewSet.form_fields)


# -- the scopes of an API key -----------------------------------------------------------------------------


def test_only_a_provider_reports_sessions_and_a_provider_does_nothing_else(genk):
    provider = OrganisationFactory(kind=OrganisationKind.PARKING_PROVIDER)

    assert api_key_scopes_clean([ApiScope.SESSIONS_WRITE], organisation=provider) == [ApiScope.SESSIONS_WRITE]
    assert api_key_scopes_clean([ApiScope.RIGHTS_CHECK], organisation=genk) == [ApiScope.RIGHTS_CHECK]
    with pytest.raises(ValidationError) as city_reports:
        api_key_scopes_clean([ApiScope.RIGHTS_CHECK, ApiScope.SESSIONS_WRITE], organisation=genk)
    with pytest.raises(ValidationError) as provider_reads:
        api_key_scopes_clean([ApiScope.SESSIONS_WRITE, ApiScope.DOSSIERS_READ], organisation=provider)

    assert city_reports.value.error_dict["scopes"][0].code == "provider_scope"
    assert provider_reads.value.error_dict["scopes"][0].code == "provider_scope_only"


def test_creating_a_key_refuses_the_wrong_scopes_for_the_organisation(genk):
    operator = UserFactory(is_superuser=True)
    with pytest.raises(ValidationError):
        api_key_create(
            organisation=genk,
            name="x",
            scopes=[ApiScope.SESSIONS_WRITE],
            rights_check_per_minute=60,
            user=operator,
        )
    provider = OrganisationFactory(kind=OrganisationKind.PARKING_PROVIDER)
    made = api_key_create(
        organisation=provider,
        name="app",
        scopes=[ApiScope.SESSIONS_WRITE],
        rights_check_per_minute=60,
        user=operator,
    )
    assert made.key.has_scope(ApiScope.SESSIONS_WRITE)
