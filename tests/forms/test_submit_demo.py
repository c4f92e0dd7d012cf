"""The demo forms: every pilot city's handlers get their forms, Genk's in French too, seeded once."""

import io

import pytest
from django.db import transaction
from wagtail.models import Page, Site

from eloket.constants import CitizenAction
from eloket.models import Dossier
from forms import demo
from forms.constants import PURPOSE_FOR_ACTION, Purpose
from forms.demo import seed_forms
from forms.models import FormPage
from forms.selectors import form_page_for_dossier
from home.demo import CITY_SLUGS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from eloket import demo
    from home.demo import seed_pages

    with django_db_blocker.unblock(), transaction.atomic():
        demo.seed(stdout=io.StringIO())
        seed_pages(stdout=io.StringIO())
        out = io.StringIO()
        seed_forms(stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
        Site.clear_site_root_paths_cache()


@pytest.fixture
def seeded(seeded_once, db):
    Site.clear_site_root_paths_cache()
    return seeded_once


def test_seeding_the_forms_twice_creates_nothing_the_second_time(seeded):
    created = FormPage.objects.filter(locale__language_code="nl").count()
    assert created >= 20 and f"forms: {created} created, 24 translations created" in seeded
    pages = Page.objects.count()
    out = io.StringIO()
    seed_forms(stdout=out)
    assert out.getvalue() == "forms: 0 created, 0 translations created\n"
    assert Page.objects.count() == pages


def test_every_pilot_city_has_a_contest_form_and_a_public_question_form(seeded):
    for slug in CITY_SLUGS:
        forms = FormPage.objects.live().filter(
            locale__language_code="nl", organisation__municipalities__slug=slug
        )
        purposes = {page.purpose for page in forms} | {
            purpose for city, purpose in getattr(demo, "LEFT_TO_EDITORS", ()) if city == slug
        }
        assert {Purpose.CONTEST, Purpose.QUESTION} <= purposes, slug
        assert forms.filter(purpose=Purpose.QUESTION, allow_anonymous=True).exists(), slug


def test_every_demo_dossier_finds_a_form_for_each_action_its_policy_offers(seeded):
    for dossier in Dossier.objects.select_related("organisation", "municipality"):
        for action in dossier.policy.citizen_actions(dossier):
            if action == CitizenAction.PAY:
                continue
            if action == CitizenAction.ASK and dossier.kind not in {"parking_retribution", "gas4", "gas5"}:
                continue
            purpose = PURPOSE_FOR_ACTION[action]
            if (dossier.municipality.slug, purpose) in getattr(demo, "LEFT_TO_EDITORS", ()):
                continue
            page = form_page_for_dossier(dossier=dossier, purpose=purpose, language="nl")
            assert page is not None, (dossier.reference, action)


def test_genks_forms_are_live_in_french_with_the_same_field_keys(seeded, client):
    dutch = FormPage.objects.get(locale__language_code="nl", slug="een-vraag-stellen-stad-genk")
    french = dutch.get_translations().get(locale__language_code="fr").specific
    assert french.live and french.title == "Poser une question (Ville de Genk)"
    assert [f.clean_name for f in french.form_fields.all()] == [f.clean_name for f in dutch.form_fields.all()]
    assert [f.label for f in french.form_fields.all()] == ["Sujet", "Pièces jointes"]
    response = client.get(french.url)
    assert response.status_code == 200 and "Poser une question" in response.content.decode()
