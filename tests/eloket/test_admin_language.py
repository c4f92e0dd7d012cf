"""The admin is in Dutch whatever the browser asks (eloket.middleware.LocaleMiddleware); a staff
member chooses another of the site's languages in their account (Wagtail's preferred language)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db

ADMIN = "/beheer/"


@pytest.fixture
def staff(db, client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    staff_login(client, user)
    return user


def admin_lang(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("browser", ["en-GB,en;q=0.9", "fr-BE,fr;q=0.9", "de", ""])
def test_the_admin_is_in_dutch_whatever_the_browser_asks(client, staff, browser):
    response = client.get(ADMIN, HTTP_ACCEPT_LANGUAGE=browser)

    assert admin_lang(response) == "nl"
    assert "Zoeken" in response.content.decode()


def test_a_language_cookie_from_the_citizen_site_does_not_change_the_admin(client, staff, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert admin_lang(client.get(ADMIN)) == "nl"


@pytest.mark.parametrize(("choice", "word"), [("fr", "Rechercher"), ("en", "Search"), ("de", "Suche")])
def test_a_staff_member_who_chose_a_language_gets_it(client, staff, choice, word):
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = choice
    profile.save()

    response = client.get(ADMIN, HTTP_ACCEPT_LANGUAGE="nl")

    assert admin_lang(response) == choice
    assert word in response.content.decode()


def test_the_account_offers_the_sites_four_languages_and_saves_the_choice(client, staff):
    url = reverse("wagtailadmin_account")
    page = client.get(url).content.decode()
    for code in ("nl", "fr", "en", "de"):
        assert f'value="{code}"' in page
    assert 'value="es"' not in page

    response = client.post(
        url,
        {
            "locale-preferred_language": "fr",
            "locale-current_time_zone": "",
            "name_email-first_name": "Els",
            "name_email-last_name": "Janssens",
            "name_email-email": "els.janssens@genk.example",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )

    assert response.status_code == 302
    assert UserProfile.get_for_user(staff).preferred_language == "fr"
    assert admin_lang(client.get(ADMIN)) == "fr"


def test_the_citizen_site_still_follows_its_language_prefix(client):
    assert client.get("/fr/").headers["Content-Language"] == "fr"
