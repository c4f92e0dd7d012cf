"""A driver without a Belgian login contests the one dossier they opened with the letter's values: the
city's contest form asks a name and an e-mail address, and the submission belongs to the dossier's party."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from forms.constants import Purpose
from forms.models import Submission
from tests.forms.citizen_helpers import form_page_make
from tests.forms.test_submit import contest_post, form_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest_page(genk_page, genk_city):
    return form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, title="Bezwaar")


@pytest.fixture
def visitor(client, retribution):
    cache.clear()
    response = client.post(
        reverse("eloket:guest_access"),
        {"reference": retribution.reference, "plate": retribution.plate, "check": retribution.ogm[-4:]},
    )
    assert response.status_code == 302
    yield client
    cache.clear()


def test_the_visitor_contests_the_dossier_with_a_name_and_address(visitor, retribution, contest_page):
    form = visitor.get(form_url(retribution)).content.decode()
    assert 'name="contact_email"' in form

    response = contest_post(visitor, retribution, contact_name="Pierre Dupont", contact_email="p@example.fr")

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert (submission.dossier, submission.party, submission.submitted_by) == (
        retribution,
        retribution.party,
        None,
    )
    assert (submission.contact_name, submission.contact_email) == ("Pierre Dupont", "p@example.fr")
    confirmation = visitor.get(response["Location"])
    assert confirmation.status_code == 200


def test_the_visitor_cannot_reach_the_form_of_another_dossier(visitor, retribution, contest_page, citizen):
    from tests.factories import DossierFactory

    other = DossierFactory(party=citizen[1], organisation=retribution.organisation, notified=True)
    assert visitor.get(form_url(other)).status_code == 404
