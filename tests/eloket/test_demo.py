import pytest

from eloket import demo
from eloket.constants import DossierKind
from eloket.models import Dossier, Municipality, Organisation, User
from eloket.policies import policy_for

pytestmark = pytest.mark.django_db


def dossiers_of(key):
    return Dossier.objects.filter(party__representations__user__demo_key=key, party__kind="person")


def test_the_demo_seed_can_run_twice_without_duplicates():
    demo.seed()
    counts = (
        Municipality.objects.count(),
        Organisation.objects.count(),
        Dossier.objects.count(),
        User.objects.count(),
    )
    demo.seed()
    assert counts == (
        Municipality.objects.count(),
        Organisation.objects.count(),
        Dossier.objects.count(),
        User.objects.count(),
    )


def test_the_five_pilot_cities_are_seeded_with_their_nis_codes():
    demo.seed()
    codes = dict(Municipality.objects.values_list("slug", "nis_code"))
    assert codes["genk"] == "71016"
    assert {"genk", "vilvoorde", "antwerpen", "hasselt", "mechelen"} <= set(codes)


def test_at_least_two_handlers_are_not_the_city_itself():
    demo.seed()
    assert Organisation.objects.exclude(kind="city").count() >= 2
    gas = Organisation.objects.get(slug="gas-genk")
    assert set(gas.municipalities.values_list("slug", flat=True)) == {"genk", "houthalen-helchteren"}


def test_the_first_citizen_has_every_kind_in_every_status_in_four_cities_or_more():
    demo.seed()
    dossiers = dossiers_of("citizen-many")
    assert set(dossiers.values_list("kind", flat=True)) == set(DossierKind.values)
    assert dossiers.values("municipality").distinct().count() >= 4
    seen = set(dossiers.values_list("kind", "status"))
    families = {
        "retribution": [DossierKind.PARKING_RETRIBUTION],
        "gas": [DossierKind.GAS4, DossierKind.GAS5],
        "permit": [DossierKind.RESIDENT_PERMIT, DossierKind.EMPLOYEE_PERMIT, DossierKind.IOD_PERMIT],
    }
    for kinds in families.values():
        required = set().union(*(policy_for(kind).statuses() for kind in kinds))
        assert required <= {status for kind, status in seen if kind in kinds}, kinds


def test_the_company_representative_sees_a_dozen_company_dossiers_and_the_third_citizen_none():
    demo.seed()
    company = Dossier.objects.filter(
        party__kind="enterprise", party__representations__user__demo_key="company-rep"
    )
    assert company.count() >= 12
    assert not dossiers_of("citizen-none").exists()
