"""A citizen reaches only their own (acting party's) submissions, attachments and dossier forms:
every other one is a 404, never a 403 that would confirm it exists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from eloket.middleware import ACTING_PARTY_SESSION_KEY
from forms import services
from forms.constants import ContestReason, Purpose
from forms.uploads import UploadLimits, upload_check
from tests.factories import DossierFactory, UserFactory, enterprise_party, person_party
from tests.forms.citizen_helpers import form_page_make, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(genk_page, genk_city, municipalities, private_storage):
    """Anna; Bert, who also represents a company. Each party contested one dossier with a photo."""
    contest_page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST)
    anna, bert = UserFactory(), UserFactory()
    parties = {
        "anna": person_party(name="Anna Aerts", user=anna),
        "bert": person_party(name="Bert Bosmans", user=bert),
        "company": enterprise_party(name="Bosmans Transport BV", representative=bert),
    }
    things = {}
    for key, party in parties.items():
        dossier = DossierFactory(
            party=party, organisation=genk_city, municipality=municipalities["genk"], notified=True
        )
        second = DossierFactory(
            party=party, organisation=genk_city, municipality=municipalities["genk"], notified=True
        )
        submission = services.submission_create(
            page=contest_page,
            idempotency_key=f"key-{key}",
            form_data={},
            uploads=[upload_check(upload("a.png", png_bytes()), limits=UploadLimits())],
            message="Bezwaar",
            contest_reason=ContestReason.OTHER,
            dossier=dossier,
            party=party,
        ).submission
        things[key] = (submission, submission.attachments.get(), second)
    return {"anna": anna, "bert": bert, "company": parties["company"], "things": things}


def urls_for(submission, attachment, open_dossier):
    return [
        reverse("eloket_forms:submission_detail", args=[submission.reference]),
        reverse("eloket_forms:attachment_file", args=[submission.reference, attachment.pk]),
        reverse("eloket_forms:dossier_form", args=[open_dossier.reference, "contest"]),
        reverse("eloket_forms:submission_confirmation", args=[submission.reference]),
    ]


MATRIX = [
    ("anna", None, {"anna"}),
    ("bert", None, {"bert"}),
    ("bert", "company", {"company"}),
]


@pytest.mark.parametrize(("user_key", "acting", "visible"), MATRIX)
def test_every_citizen_forms_url_is_a_404_for_another_partys_submission_or_dossier(
    client, world, user_key, acting, visible
):
    client.force_login(world[user_key])
    if acting:
        session = client.session
        session[ACTING_PARTY_SESSION_KEY] = world[acting].pk
        session.save()
    for owner, things in world["things"].items():
        for url in urls_for(*things):
            status = client.get(url).status_code
            if owner in visible:
                assert status == 200, url
            else:
                assert status == 404, (owner, url)
        listing = client.get(reverse("eloket_forms:submission_list")).content.decode()
        assert (things[0].reference in listing) == (owner in visible)


def test_someone_not_logged_in_is_sent_to_the_login_for_every_personal_url(client, world):
    for url in urls_for(*world["things"]["anna"])[:3]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("eloket:login")), url
    confirmation = urls_for(*world["things"]["anna"])[3]
    assert client.get(confirmation).status_code == 404


def test_an_unknown_action_or_one_without_a_form_is_a_404(client, world):
    client.force_login(world["anna"])
    _submission, _attachment, dossier = world["things"]["anna"]
    for action in ("pay", "defend", "nonsense"):
        url = reverse("eloket_forms:dossier_form", args=[dossier.reference, action])
        assert client.get(url).status_code == 404, action


def test_every_citizen_form_carries_a_csrf_token(client, world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["anna"])
    _submission, _attachment, dossier = world["things"]["anna"]
    url = reverse("eloket_forms:dossier_form", args=[dossier.reference, "contest"])
    assert 'name="csrfmiddlewaretoken"' in strict.get(url).content.decode()
    assert strict.post(url, {"message": "zonder token"}).status_code == 403
