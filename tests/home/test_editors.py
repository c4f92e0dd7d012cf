"""City editors edit their own city's pages, in every language tree, and nothing else."""

import pytest
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from home.models import CityPage, InfoPage
from home.services import municipality_editors_group_ensure
from tests.factories import totp_enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_editor(django_user_model, municipalities):
    def make_editor(slug: str):
        group = municipality_editors_group_ensure(municipality=municipalities[slug])
        user = django_user_model.objects.create_user(
            username=f"redacteur-{slug}", password=f"demo-redacteur-{slug}"
        )
        user.groups.add(group)
        return totp_enrol(user)

    return make_editor


@pytest.fixture
def genk_editor(make_editor, genk_info_page, vilvoorde_info_page):
    return make_editor("genk")


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def info_page_form(*, title: str, slug: str, action: str = "action-publish") -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "Bedragen, termijnen en verweer.",
            "body": streamfield([("rich_text", rich_text("<p>Betaal binnen 30 dagen.</p>"))]),
            "comments": inline_formset([]),
            action: action,
        }
    )


def assert_refused(response) -> None:
    """Wagtail answers a refused admin view with a redirect to the dashboard and a message."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_genk_editor_can_open_a_genk_info_page_in_the_admin(client, genk_editor, genk_info_page):
    client.force_login(genk_editor)

    assert client.get(edit_url(genk_info_page)).status_code == 200


def test_genk_editor_can_publish_a_change_to_a_genk_info_page(client, genk_editor, genk_info_page):
    client.force_login(genk_editor)

    response = client.post(
        edit_url(genk_info_page), info_page_form(title="GAS-boetes in Genk", slug="gas-boetes")
    )

    assert response.status_code == 302
    page = InfoPage.objects.get(pk=genk_info_page.pk)
    assert page.live
    assert page.title == "GAS-boetes in Genk"
    assert not page.has_unpublished_changes
    assert "Betaal binnen 30 dagen." in str(page.body)
    assert page.live_revision.user == genk_editor


def test_genk_editor_can_add_an_info_page_under_genk(client, genk_editor, genk_page):
    client.force_login(genk_editor)
    url = reverse("wagtailadmin_pages:add", args=["home", "infopage", genk_page.pk])

    response = client.post(url, info_page_form(title="Bewonerskaart", slug="bewonerskaart"))

    assert response.status_code == 302
    assert InfoPage.objects.child_of(genk_page).filter(slug="bewonerskaart", live=True).exists()


def test_genk_editor_cannot_edit_vilvoorde_pages(client, genk_editor, vilvoorde_page, vilvoorde_info_page):
    client.force_login(genk_editor)

    assert_refused(client.get(edit_url(vilvoorde_info_page)))
    assert_refused(client.get(edit_url(vilvoorde_page)))
    assert_refused(
        client.post(edit_url(vilvoorde_info_page), info_page_form(title="Gekaapt", slug="parkeren"))
    )
    assert InfoPage.objects.get(pk=vilvoorde_info_page.pk).title == "Parkeren"


def test_genk_editor_cannot_add_pages_under_vilvoorde(client, genk_editor, vilvoorde_page):
    client.force_login(genk_editor)
    url = reverse("wagtailadmin_pages:add", args=["home", "infopage", vilvoorde_page.pk])

    assert_refused(client.post(url, info_page_form(title="Gekaapt", slug="gekaapt")))
    assert not InfoPage.objects.child_of(vilvoorde_page).filter(slug="gekaapt").exists()


def test_genk_editor_cannot_edit_the_home_page(client, genk_editor, home_page):
    client.force_login(genk_editor)

    assert_refused(client.get(edit_url(home_page)))


def test_genk_editor_cannot_submit_vilvoorde_pages_for_translation(client, genk_editor, vilvoorde_info_page):
    client.force_login(genk_editor)
    url = reverse("wagtail_localize:submit_page_translation", args=[vilvoorde_info_page.pk])

    assert_refused(client.get(url))


def test_genk_editor_can_submit_genk_pages_for_translation(client, genk_editor, genk_info_page):
    client.force_login(genk_editor)
    url = reverse("wagtail_localize:submit_page_translation", args=[genk_info_page.pk])

    assert client.get(url).status_code == 200


def test_editors_group_has_the_city_page_in_every_language_tree(
    locales, home_page, genk_page, municipalities, translate
):
    for language in ("fr", "en", "de"):
        translate(home_page, locales[language])

    group = municipality_editors_group_ensure(municipality=municipalities["genk"])

    genk_pages = CityPage.objects.filter(municipality=municipalities["genk"])
    assert sorted(page.locale.language_code for page in genk_pages) == ["de", "en", "fr", "nl"]
    assert not genk_pages.exclude(locale=locales["nl"]).filter(live=True).exists()  # drafts to finish
    for page in genk_pages:
        granted = set(
            GroupPagePermission.objects.filter(group=group, page=page).values_list(
                "permission__codename", flat=True
            )
        )
        assert granted == {"add_page", "change_page", "publish_page"}
    assert group.name == "Redacteurs Genk"


def test_editors_group_ensure_is_idempotent(locales, home_page, genk_page, municipalities, translate):
    translate(home_page, locales["fr"])
    first = municipality_editors_group_ensure(municipality=municipalities["genk"])
    counts = (GroupPagePermission.objects.count(), CityPage.objects.count(), first.permissions.count())

    second = municipality_editors_group_ensure(municipality=municipalities["genk"])

    assert second == first
    assert (
        GroupPagePermission.objects.count(),
        CityPage.objects.count(),
        second.permissions.count(),
    ) == counts


def test_genk_editor_translates_the_french_genk_page_in_the_translation_editor(
    client, locales, home_page, genk_page, genk_info_page, vilvoorde_page, make_editor, translate
):
    translate(home_page, locales["fr"])
    french_genk = translate(genk_page, locales["fr"])
    french_info = translate(genk_info_page, locales["fr"])
    french_vilvoorde = translate(vilvoorde_page, locales["fr"])
    client.force_login(make_editor("genk"))

    response = client.get(edit_url(french_info))

    assert response.status_code == 200
    assert "wagtail_localize/admin/edit_translation.html" in [t.name for t in response.templates]
    assert client.get(edit_url(french_genk)).status_code == 200
    assert_refused(client.get(edit_url(french_vilvoorde)))
