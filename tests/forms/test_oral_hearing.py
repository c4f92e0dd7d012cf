"""A GAS defence offers an oral hearing only where the law allows it: a fine above 70 euro."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from eloket.constants import DossierKind, DossierStatus
from eloket.models import Dossier
from eloket.policies import policy_for
from forms import services
from forms.constants import ORAL_HEARING, ContestReason, Purpose
from forms.models import Submission
from tests.factories import DossierFactory, OrganisationFactory
from tests.forms.citizen_helpers import form_page_make

pytestmark = pytest.mark.django_db

LABEL = "Ik wil mondeling gehoord worden"
REFUSAL = "Mondeling gehoord worden kan alleen bij een GAS-boete van meer dan 70 euro."


@pytest.fixture
def gas_service(municipalities):
    return OrganisationFactory(name_nl="GAS Genk", municipalities=[municipalities["genk"]])


@pytest.fixture
def defence_page(genk_page, gas_service):
    return form_page_make(parent=genk_page, organisation=gas_service, purpose=Purpose.DEFENCE)


def gas4(citizen, gas_service, municipalities, *, category: int):
    """A notified GAS 4 fine: category 1 is 58 euro, category 2 is 116 euro."""
    return DossierFactory(
        party=citizen[1], kind=DossierKind.GAS4, gas_category=category, organisation=gas_service,
        municipality=municipalities["genk"], notified=True,
    )  # fmt: skip


def form_url(dossier) -> str:
    return reverse("eloket_forms:dossier_form", args=[dossier.reference, "defend"])


def defend(client, dossier, **extra):
    token = re.search(
        r'name="idempotency_key" value="([^"]+)"', client.get(form_url(dossier)).content.decode()
    )
    data = {
        "idempotency_key": token.group(1),
        "contest_reason": ContestReason.LOADING,
        "message": "Ik was aan het laden.",
        **extra,
    }
    return client.post(form_url(dossier), data)


@pytest.mark.parametrize(
    ("kind", "amount_cents", "allowed"),
    [
        (DossierKind.GAS4, 5800, False),
        (DossierKind.GAS4, 7000, False),
        (DossierKind.GAS4, 7001, True),
        (DossierKind.GAS4, 11600, True),
        (DossierKind.GAS5, 11900, True),
        (DossierKind.PARKING_RETRIBUTION, 11600, False),
    ],
)
def test_an_oral_hearing_is_allowed_only_for_a_gas_fine_above_70_euro(kind, amount_cents, allowed):
    dossier = Dossier(kind=kind, amount_original_cents=amount_cents)
    assert policy_for(kind).oral_hearing_allowed(dossier) is allowed


def test_the_defence_of_a_fine_above_70_euro_offers_the_oral_hearing_and_files_the_choice(
    client, citizen, gas_service, municipalities, defence_page
):
    dossier = gas4(citizen, gas_service, municipalities, category=2)
    client.force_login(citizen[0])
    form = client.get(form_url(dossier)).content.decode()
    assert LABEL in form
    assert f'name="{ORAL_HEARING}"' in form
    response = defend(client, dossier, **{ORAL_HEARING: "on"})
    assert response.status_code == 302
    assert Submission.objects.get().form_data[ORAL_HEARING] is True
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DEFENCE


def test_a_defence_without_the_box_ticked_files_no_oral_hearing(
    client, citizen, gas_service, municipalities, defence_page
):
    dossier = gas4(citizen, gas_service, municipalities, category=2)
    client.force_login(citizen[0])
    assert defend(client, dossier).status_code == 302
    assert Submission.objects.get().form_data[ORAL_HEARING] is False


def test_the_defence_of_a_fine_of_70_euro_or_less_does_not_offer_the_oral_hearing(
    client, citizen, gas_service, municipalities, defence_page
):
    dossier = gas4(citizen, gas_service, municipalities, category=1)
    client.force_login(citizen[0])
    form = client.get(form_url(dossier)).content.decode()
    assert LABEL not in form
    assert f'name="{ORAL_HEARING}"' not in form


def test_an_oral_hearing_sent_anyway_for_a_fine_of_70_euro_or_less_is_refused_with_a_clear_message(
    client, citizen, gas_service, municipalities, defence_page
):
    dossier = gas4(citizen, gas_service, municipalities, category=1)
    client.force_login(citizen[0])
    response = defend(client, dossier, **{ORAL_HEARING: "on"})
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert not Submission.objects.exists()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED


def test_the_service_refuses_an_oral_hearing_the_law_does_not_allow(
    citizen, gas_service, municipalities, defence_page
):
    dossier = gas4(citizen, gas_service, municipalities, category=1)
    with pytest.raises(services.SubmissionRefused, match="70 euro"):
        services.submission_create(
            page=defence_page,
            idempotency_key="oral-hearing-refused",
            form_data={ORAL_HEARING: True},
            message="Ik wil gehoord worden.",
            contest_reason=ContestReason.OTHER,
            dossier=dossier,
            party=citizen[1],
        )
    assert not Submission.objects.exists()


def test_an_editors_own_oral_hearing_checkbox_of_the_old_demo_is_left_out_of_the_form(
    client, citizen, gas_service, municipalities, genk_page
):
    form_page_make(
        parent=genk_page, organisation=gas_service, purpose=Purpose.DEFENCE,
        fields=[("Ik wil mondeling gehoord worden", "checkbox", False)],
    )  # fmt: skip
    dossier = gas4(citizen, gas_service, municipalities, category=1)
    client.force_login(citizen[0])
    form = client.get(form_url(dossier)).content.decode()
    assert 'name="ik_wil_mondeling_gehoord_worden"' not in form
    assert LABEL not in form


def test_an_editor_cannot_give_a_field_the_oral_hearing_key():
    from forms.builder import RESERVED_KEYS

    assert ORAL_HEARING in RESERVED_KEYS
