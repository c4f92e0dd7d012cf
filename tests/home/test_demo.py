"""The demo seed. It takes a few seconds, so it runs once for the module, inside a transaction that is
rolled back when the module ends; each test runs in a savepoint inside it."""

import io

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from wagtail.models import Page, PageLogEntry, Revision, Site
from wagtail_localize.models import StringTranslation, Translation

from home.demo import seed_pages
from home.demo_content import GENK, T
from home.models import CityPage, HomePage, InfoPage
from tests.home.conftest import PILOT_MUNICIPALITIES

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "log entries": PageLogEntry.objects.count(),
        "translations": Translation.objects.count(),
        "string translations": StringTranslation.objects.count(),
        "groups": Group.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from eloket.models import Municipality

    with django_db_blocker.unblock(), transaction.atomic():
        for slug, (nis_code, name_nl, name_fr, postal_codes) in PILOT_MUNICIPALITIES.items():
            Municipality.objects.get_or_create(
                nis_code=nis_code,
                defaults={"slug": slug, "name_nl": name_nl, "name_fr": name_fr, "postal_codes": postal_codes},
            )
        out = io.StringIO()
        seed_pages(stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
        Site.clear_site_root_paths_cache()


@pytest.fixture
def seeded(seeded_once, db):
    Site.clear_site_root_paths_cache()
    return seeded_once


def dutch_texts(page) -> set[str]:
    """Every Dutch text of a demo page that has a different French translation."""
    texts: set[str] = set()

    def walk(value):
        if isinstance(value, T):
            if value.fr and value.fr != value.nl:
                texts.add(value.nl)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk([page.title, list(page.intro), [block.value for block in page.body]])
    return texts


def test_seed_pages_twice_creates_nothing_the_second_time(seeded, django_user_model):
    before = snapshot(), django_user_model.objects.count()

    seed_pages(stdout=io.StringIO())

    assert (snapshot(), django_user_model.objects.count()) == before
    assert "pages: 17 created, 11 translations created" in seeded
    assert HomePage.objects.filter(locale__language_code="nl").count() == 1
    assert CityPage.objects.filter(locale__language_code="nl").count() == 5
    assert InfoPage.objects.filter(locale__language_code="nl").count() == 11


def test_seed_pages_makes_the_home_page_the_site_root_instead_of_the_welcome_page(seeded):
    site = Site.objects.get(is_default_site=True)

    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(depth=2, slug="home").exists()


def test_seeded_home_page_is_published_in_every_language(seeded, client):
    for language in ("nl", "fr", "en", "de"):
        response = client.get(f"/{language}/")
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()


def test_seeded_genk_pages_are_live_in_french_and_english_without_dutch_text(seeded, client):
    dutch = [dutch_texts(GENK), *(dutch_texts(child) for child in GENK.children)]
    for language, prefix in (("fr", "/fr/genk/"), ("en", "/en/genk/")):
        city = CityPage.objects.get(slug="genk", locale__language_code=language)
        assert city.live
        info_pages = list(InfoPage.objects.child_of(city).live().order_by("path"))
        assert len(info_pages) == 3
        for page, texts in zip([city, *info_pages], dutch, strict=True):
            html = client.get(page.get_url()).content.decode()
            assert page.get_url().startswith(prefix)
            leftovers = [text for text in texts if text.replace("'", "&#x27;") in html]
            assert leftovers == [], f"{page.url}: still Dutch: {leftovers}"


def test_seeded_french_genk_page_shows_french_content(seeded, client):
    html = client.get("/fr/genk/redevance-de-stationnement/").content.decode()

    assert "<h1>Stationnement et redevance de stationnement</h1>" in html
    assert '<th scope="row">Redevance de stationnement (tarif journalier)</th>' in html
    assert "<summary>Comment contester une redevance de stationnement ?</summary>" in html


def test_seeded_pages_use_every_block_type(seeded):
    used = {block.block_type for page in InfoPage.objects.all() for block in page.body} | {
        block.block_type for page in CityPage.objects.all() for block in page.body
    }

    assert used == {"rich_text", "faq", "tariff_table", "contact", "callout", "eloket_link"}


def test_seeded_demo_editor_logs_in_and_edits_only_their_city(seeded, client):
    from eloket.demo.staff_totp import seed_staff_totp

    seed_staff_totp()  # as seed_demo does after the pages: the admin needs TOTP
    assert client.login(username="redacteur-genk", password="demo-redacteur-genk")
    genk = InfoPage.objects.get(slug="gas-boetes", locale__language_code="nl", url_path__contains="/genk/")
    vilvoorde = InfoPage.objects.get(
        slug="gas-boetes", locale__language_code="nl", url_path__contains="/vilvoorde/"
    )

    assert client.get(reverse("wagtailadmin_pages:edit", args=[genk.pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:edit", args=[vilvoorde.pk])).status_code == 302
    assert sorted(Group.objects.filter(name__startswith="Redacteurs ").values_list("name", flat=True)) == [
        "Redacteurs Antwerpen",
        "Redacteurs Genk",
        "Redacteurs Hasselt",
        "Redacteurs Mechelen",
        "Redacteurs Vilvoorde",
    ]
