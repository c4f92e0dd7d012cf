"""The admin chrome made once (eloket.admin_chrome): the same HTML as Wagtail's own tags, and a sidebar
that follows what it shows."""

import re
from pathlib import Path

import pytest
import wagtail.admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.users.models import UserProfile

from eloket import admin_chrome
from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db

ADMIN = "/beheer/"
SIDEBAR = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S)
# What ours differs in from Wagtail's wagtailadmin/base.html, and nothing else.
LOAD = "{% load wagtailadmin_tags wagtailcore_tags i18n"
SWAPS = [
    (LOAD + " %}", LOAD + " eloket_admin %}"),
    ("{% sidebar_props %}", "{% eloket_sidebar_props %}"),
    ("{% keyboard_shortcuts_dialog %}", "{% eloket_keyboard_shortcuts_dialog %}"),
]


def wagtails_own(request, tag: str) -> str:
    return Template("{% load wagtailadmin_tags %}{% " + tag + " %}").render(RequestContext(request))


def sidebar_of(response) -> str:
    assert response.status_code == 200
    return SIDEBAR.search(response.content.decode()).group(1)


@pytest.fixture
def editor(db):
    user = UserFactory(is_staff=True, first_name="Els")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_our_admin_base_template_is_wagtails_but_for_the_two_tags():
    wagtails = (Path(wagtail.admin.__file__).parent / "templates/wagtailadmin/base.html").read_text()
    ours = (Path(admin_chrome.__file__).parent / "templates/wagtailadmin/base.html").read_text()
    ours = ours.split("\n", 1)[1]  # our comment line
    for original, swapped in SWAPS:
        assert ours.count(swapped) == 1
        ours = ours.replace(swapped, original)
    assert ours == wagtails


def test_the_cached_sidebar_is_the_one_wagtail_makes(client, editor):
    staff_login(client, editor)
    first = client.get(ADMIN)
    second = client.get(ADMIN)
    with translation.override("nl"):
        expected = SIDEBAR.search(wagtails_own(second.wsgi_request, "sidebar_props")).group(1)
    assert sidebar_of(first) == sidebar_of(second) == expected
    assert '"Els"' in expected


def test_a_permission_given_shows_in_the_menu_at_the_next_page(client, editor):
    staff_login(client, editor)
    assert "CODA inlezen" not in sidebar_of(client.get(ADMIN))
    editor.user_permissions.add(Permission.objects.get(codename="add_codaimport"))
    assert "CODA inlezen" in sidebar_of(client.get(ADMIN))


def test_the_sidebar_follows_the_users_admin_language(client, editor):
    staff_login(client, editor)
    dutch = sidebar_of(client.get(ADMIN))
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "fr"
    profile.save()
    response = client.get(ADMIN)
    with translation.override("fr"):
        french = SIDEBAR.search(wagtails_own(response.wsgi_request, "sidebar_props")).group(1)
    assert sidebar_of(response) == french != dutch


@pytest.mark.parametrize(
    "user_agent", ["Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (Macintosh; Intel Mac OS X)"]
)
def test_the_keyboard_shortcuts_dialog_is_the_one_wagtail_makes(editor, user_agent):
    request = RequestFactory().get(ADMIN, headers={"User-Agent": user_agent})
    request.user = editor
    with translation.override("nl"):
        expected = wagtails_own(request, "keyboard_shortcuts_dialog")
        ours = Template("{% load eloket_admin %}{% eloket_keyboard_shortcuts_dialog %}")
        made = [ours.render(RequestContext(request)) for _ in range(2)]
    assert made == [expected, expected]
    assert ("⌘" in expected) == ("Mac" in user_agent)


def test_an_admin_page_does_not_look_up_an_acting_party(client, editor):
    staff_login(client, editor)
    client.get(ADMIN)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ADMIN).status_code == 200
    assert not [q["sql"] for q in queries if "eloket_representation" in q["sql"]]
