"""A decided contest or defence shows at the top of the dossier page: outcome, motivation, date, and what
happens next. Read through ``eloket.decisions.dossier_decision_get``, scoped to the acting party."""

import pytest
from django.http import Http404
from django.urls import reverse

from eloket import services
from eloket.constants import Decision, DossierKind
from eloket.decisions import dossier_decision_get
from tests.factories import DossierFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db

APPEAL = "beroep instellen bij de politierechtbank"


@pytest.fixture
def citizen():
    user = UserFactory()
    return user, person_party(user=user)


def page(client, user, dossier) -> str:
    client.force_login(user)
    response = client.get(reverse("eloket:dossier_detail", args=[dossier.reference]))
    assert response.status_code == 200
    return response.content.decode()


def box(content: str) -> str:
    start = content.index('data-testid="decision"')
    return content[start : content.index("</section>", start)]


def test_an_upheld_contest_shows_the_outcome_the_motivation_and_that_nothing_is_owed(client, citizen):
    dossier = DossierFactory(party=citizen[1], contested=True)
    services.dossier_decide(
        dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="Geldig ticket getoond."
    )
    content = page(client, citizen[0], dossier)
    decision = box(content)
    assert content.index('data-testid="decision"') < content.index('id="facts-title"')
    assert "Beslissing over uw bezwaar" in decision
    assert "Gegrond" in decision and "Geldig ticket getoond." in decision
    assert 'data-testid="decision-date"' in decision
    assert "de retributie is geannuleerd en u hoeft niets te betalen" in decision
    assert APPEAL not in decision


def test_an_upheld_contest_of_a_paid_retribution_says_the_money_comes_back(client, citizen):
    dossier = DossierFactory(party=citizen[1], paid=True)
    services.dossier_put_on_hold(dossier_id=dossier.pk)
    services.dossier_decide(dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="Vergunning geldig.")
    decision = box(page(client, citizen[0], dossier))
    assert 'data-testid="decision-refund"' in decision
    assert "€ 20,00" in decision or "€20,00" in decision or "20,00" in decision
    assert "krijgt u terug" in decision


def test_a_rejected_gas_defence_shows_the_new_term_to_pay_and_the_appeal_to_the_police_court(client, citizen):
    dossier = DossierFactory(party=citizen[1], kind=DossierKind.GAS4, defence=True)
    result = services.dossier_decide(
        dossier_id=dossier.pk, decision=Decision.REJECTED, motivation="Geen laden."
    )
    decision = box(page(client, citizen[0], dossier))
    assert "Beslissing over uw verweer" in decision
    assert "Ongegrond" in decision and "Geen laden." in decision
    assert "de boete blijft" in decision
    assert 'data-testid="decision-pay-by"' in decision
    assert result.dossier.pay_by.strftime("%Y") in decision
    assert APPEAL in decision and "binnen een maand" in decision


def test_a_partly_upheld_contest_shows_the_lower_amount(client, citizen):
    dossier = DossierFactory(party=citizen[1], contested=True)
    services.dossier_decide(
        dossier_id=dossier.pk, decision=Decision.PARTLY_UPHELD, motivation="Halve dag.", amount_cents=1000
    )
    decision = box(page(client, citizen[0], dossier))
    assert "Gedeeltelijk gegrond" in decision and "verlaagd tot" in decision


def test_there_is_no_decision_box_before_a_decision_or_while_a_new_contest_is_open(client, citizen):
    dossier = DossierFactory(party=citizen[1], contested=True)
    assert 'data-testid="decision"' not in page(client, citizen[0], dossier)
    services.dossier_decide(dossier_id=dossier.pk, decision=Decision.REJECTED, motivation="Geen ticket.")
    dossier.refresh_from_db()
    assert dossier_decision_get(party=citizen[1], dossier=dossier) is not None
    services.dossier_put_on_hold(dossier_id=dossier.pk)
    dossier.refresh_from_db()
    assert dossier_decision_get(party=citizen[1], dossier=dossier) is None


def test_the_decision_of_another_partys_dossier_is_a_404(citizen):
    other = person_party(name="Iemand Anders")
    dossier = DossierFactory(party=other, contested=True)
    services.dossier_decide(dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="Gegrond.")
    dossier.refresh_from_db()
    with pytest.raises(Http404):
        dossier_decision_get(party=citizen[1], dossier=dossier)
    with pytest.raises(Http404):
        dossier_decision_get(party=None, dossier=dossier)
