import pytest

from eloket.models import StaffMembership
from eloket.selectors import staff_organisations
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_clerk_sees_only_the_organisations_they_work_for():
    mine, other = OrganisationFactory(), OrganisationFactory()
    clerk = UserFactory(is_staff=True)
    StaffMembership.objects.create(user=clerk, organisation=mine)
    assert list(staff_organisations(user=clerk)) == [mine]
    assert other not in staff_organisations(user=clerk)


def test_staff_without_membership_or_inactive_see_nothing():
    OrganisationFactory()
    assert not staff_organisations(user=UserFactory(is_staff=True)).exists()
    clerk = UserFactory(is_staff=True, is_active=False)
    StaffMembership.objects.create(user=clerk, organisation=OrganisationFactory())
    assert not staff_organisations(user=clerk).exists()


def test_a_superuser_sees_every_organisation():
    OrganisationFactory(), OrganisationFactory()
    assert staff_organisations(user=UserFactory(is_superuser=True)).count() == 2
