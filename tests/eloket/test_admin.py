import pytest
from django.contrib.auth.models import Permission

from tests.factories import OrganisationFactory, UserFactory, staff_login

pytestmark = pytest.mark.django_db


def test_an_operator_lists_and_edits_organisations_in_the_admin(client):
    operator = UserFactory(is_superuser=True, is_staff=True)
    organisation = OrganisationFactory(name_nl="OPC Genk")
    staff_login(client, operator)
    listing = client.get("/beheer/eloket/organisation/")
    assert listing.status_code == 200
    assert "OPC Genk" in listing.content.decode()
    assert client.get(f"/beheer/eloket/organisation/edit/{organisation.pk}/").status_code == 200


def test_a_staff_member_without_operator_rights_cannot_see_organisations(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    staff_login(client, editor)
    response = client.get("/beheer/eloket/organisation/")
    assert response.status_code in (302, 403)
    assert "OPC" not in response.content.decode()
