import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from home.models import CityPage, HomePage, InfoPage
from tests.home.factories import CityPageFactory

pytestmark = pytest.mark.django_db


def test_home_page_sits_only_under_the_root_and_holds_only_city_pages():
    assert HomePage.allowed_parent_page_models() == [Page]
    assert HomePage.allowed_subpage_models() == [CityPage]


def test_city_page_sits_only_under_a_home_page_and_holds_info_and_form_pages():
    from forms.models import FormPage

    assert CityPage.allowed_parent_page_models() == [HomePage]
    assert CityPage.allowed_subpage_models() == [InfoPage, FormPage]


def test_info_page_sits_only_under_a_city_page_and_has_no_children():
    assert InfoPage.allowed_parent_page_models() == [CityPage]
    assert InfoPage.allowed_subpage_models() == []


def test_an_info_page_cannot_be_created_under_the_home_page(home_page, genk_info_page):
    assert not InfoPage.can_create_at(home_page)
    assert not CityPage.can_create_at(genk_info_page)
    assert not home_page.specific.can_move_to(genk_info_page)
    assert InfoPage.can_create_at(genk_info_page.get_parent())


def test_a_municipality_has_one_city_page_per_language(home_page, genk_page, municipalities):
    with pytest.raises(ValidationError) as raised:
        CityPageFactory(parent=home_page, municipality=municipalities["genk"], slug="genk-bis")
    assert "municipality" in raised.value.message_dict


def test_a_municipality_with_a_city_page_cannot_be_deleted(genk_page, municipalities):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        municipalities["genk"].delete()
