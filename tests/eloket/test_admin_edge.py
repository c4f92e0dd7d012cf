"""The admin's edge (eloket.admin_edge, config/urls.py): Wagtail views that answer a malformed request
with a 500 answer 404 or 400 instead, and logging out takes a POST, never a GET (a link or an image
on another site must not end a clerk's session)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    staff_login(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def answers_not_found(client, url: str) -> bool:
    """404, possibly after the one redirect ``eloket.middleware.LocaleMiddleware`` gives every 404
    under /beheer/ (to /nl/beheer/…, which is a 404 too); never a 500 on the way."""
    response = client.get(url, follow=True)
    return response.status_code == 404 and response.redirect_chain in ([], [(f"/nl{url}", 302)])


@pytest.mark.parametrize("chooser", ["wagtaildocs_chooser", "wagtailimages_chooser"])
@pytest.mark.parametrize("pk", ["x1", "1x", "-1", "1.5", "%C3%A9"])
def test_a_chooser_asked_for_a_non_numeric_id_answers_404(superuser_client, chooser, pk):
    url = reverse(f"{chooser}:chosen", args=["1"]).replace("/1/", f"/{pk}/")

    assert answers_not_found(superuser_client, url)


@pytest.mark.parametrize("chooser", ["wagtaildocs_chooser", "wagtailimages_chooser"])
def test_a_chooser_asked_for_a_numeric_id_that_does_not_exist_still_answers_404(superuser_client, chooser):
    assert answers_not_found(superuser_client, reverse(f"{chooser}:chosen", args=["999999"]))


@pytest.mark.parametrize("chooser", ["wagtaildocs_chooser", "wagtailimages_chooser"])
def test_a_chooser_still_sends_a_visitor_without_admin_access_to_the_login(client, chooser):
    url = reverse(f"{chooser}:chosen", args=["1"]).replace("/1/", "/x1/")

    response = client.get(url)

    assert response.status_code == 302 and "login" in response["Location"]


def test_a_chooser_still_returns_a_document_that_exists(superuser_client):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document(title="Reglement")
    document.file.save("reglement.pdf", ContentFile(b"%PDF-1.4"), save=True)
    try:
        response = superuser_client.get(reverse("wagtaildocs_chooser:chosen", args=[document.pk]))
        assert response.status_code == 200
        assert "Reglement" in response.content.decode()
    finally:
        document.file.delete(save=False)


def test_an_empty_post_to_the_external_link_chooser_answers_400(superuser_client):
    response = superuser_client.post(reverse("wagtailadmin_choose_page_external_link"), {})

    assert response.status_code == 400


def test_the_external_link_chooser_still_takes_a_link(superuser_client):
    response = superuser_client.post(
        reverse("wagtailadmin_choose_page_external_link"),
        {"external-link-chooser-url": "https://www.genk.be/", "external-link-chooser-link_text": "Genk"},
    )

    assert response.status_code == 200
    assert "https://www.genk.be/" in response.content.decode()


def test_a_get_to_the_admin_logout_does_not_log_out(superuser_client):
    response = superuser_client.get(reverse("wagtailadmin_logout"))

    assert response.status_code == 405
    assert logged_in(superuser_client)
    assert superuser_client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_post_to_the_admin_logout_logs_out(superuser_client):
    response = superuser_client.post(reverse("wagtailadmin_logout"))

    assert response.status_code == 302
    assert not logged_in(superuser_client)
    assert superuser_client.get(reverse("wagtailadmin_home")).status_code == 302


def test_a_get_to_allauths_logout_asks_for_confirmation_and_does_not_log_out(superuser_client):
    response = superuser_client.get(reverse("account_logout"))

    assert response.status_code in (200, 405)
    assert logged_in(superuser_client)


def test_a_post_to_allauths_logout_logs_out(superuser_client):
    superuser_client.post(reverse("account_logout"))

    assert not logged_in(superuser_client)
