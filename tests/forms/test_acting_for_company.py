"""A person acting for a company (after "Wisselen"): the payment and the submission record who acted
(the user) and for whom (the company's party)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from eloket.models import Payment
from forms.constants import Purpose
from forms.models import Submission
from tests.eloket.payments.conftest import stripe_standin  # noqa: F401 - fixture
from tests.factories import DossierFactory, UserFactory, enterprise_party, person_party
from tests.forms.citizen_helpers import form_page_make
from tests.forms.test_submit import contest_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def representative(client, genk_city, municipalities):
    from eloket.models import PaymentAccount

    PaymentAccount.objects.create(organisation=genk_city, stripe_account_id="acct_genk")
    user = UserFactory()
    person_party(name="Els Claes", user=user)
    company = enterprise_party(name="Bakkerij Claes BV", representative=user)
    dossier = DossierFactory(
        party=company, organisation=genk_city, municipality=municipalities["genk"], notified=True
    )
    client.force_login(user)
    client.post(reverse("eloket:acting_as"), {"party": company.pk})
    return user, company, dossier


def test_a_payment_for_the_company_records_the_person_who_paid(client, representative, stripe_standin):  # noqa: F811
    user, company, dossier = representative
    client.post(reverse("payments:pay", args=[dossier.reference]), {"dossier": [dossier.reference]})
    payment = Payment.objects.get()
    assert (payment.party, payment.created_by) == (company, user)


def test_a_contest_for_the_company_records_the_person_who_sent_it(
    client, representative, genk_page, genk_city
):
    user, company, dossier = representative
    form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, title="Bezwaar")
    contest_post(client, dossier)
    submission = Submission.objects.get()
    assert (submission.party, submission.submitted_by, submission.dossier) == (company, user, dossier)
