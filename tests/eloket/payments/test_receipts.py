"""The receipt proves a payment: when, how, how much, for which dossier, to whom (with its enterprise
number), as a printable page and as a PDF read back with a real PDF reader (pypdf)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from eloket.constants import DossierKind, PaymentStatus
from eloket.identifiers import enterprise_number_display
from eloket.models import Payment
from eloket.ogm import ogm_display
from eloket.payments.coda_build import Credit, coda_statement
from eloket.payments.coda_import import coda_import
from tests.eloket.payments.conftest import pay_url, webhooks_deliver
from tests.factories import DossierFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db

PAID_AT = dt.datetime(2026, 11, 20, 13, 47, tzinfo=dt.UTC)  # 14:47 in Brussels


@pytest.fixture
def creditor(organisation):
    organisation.enterprise_number = "0207437468"
    organisation.address = "Stadsplein 1\n3600 Genk"
    organisation.save()
    return organisation


def pay_online(client, dossier, standin, capture, method: str) -> Payment:
    client.post(pay_url(dossier), {"dossier": [dossier.reference]})
    payment = Payment.objects.get()
    standin.standin.checkout_action(payment.provider_session_id, method)
    with time_machine.travel(PAID_AT, tick=False), capture(execute=True):
        webhooks_deliver(client, standin)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_receipt_of_a_bancontact_payment_shows_what_it_proves(
    citizen_client, dossier, creditor, stripe_standin, django_capture_on_commit_callbacks
):
    payment = pay_online(
        citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks, "bancontact"
    )
    response = citizen_client.get(reverse("payments:receipt", args=[payment.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "20 november 2026, 14:47",
        "Bancontact",
        "€ 20,00",
        dossier.reference,
        "Stad Genk",
        "0207.437.468",
        "Stadsplein 1<br>3600 Genk",
        payment.reference,
        'media="print"',
    ):
        assert expected in html, expected


def test_the_receipt_pdf_holds_the_same_facts_with_its_fonts_embedded(
    citizen_client, dossier, creditor, stripe_standin, django_capture_on_commit_callbacks
):
    payment = pay_online(citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks, "card")
    response = citizen_client.get(reverse("payments:receipt_pdf", args=[payment.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"ontvangstbewijs-{payment.reference}.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for expected in (
        f"Ontvangstbewijs van betaling {payment.reference}",
        "20 november 2026, 14:47",
        "Kaart",
        "€ 20,00",
        dossier.reference,
        "Stad Genk",
        "0207.437.468",
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == f"Ontvangstbewijs van betaling {payment.reference}"
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    for font in fonts:
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, "the TrueType font is embedded"


def test_a_transfer_receipt_names_the_structured_reference(
    citizen, citizen_client, creditor, django_capture_on_commit_callbacks
):
    fine = DossierFactory(party=citizen[1], organisation=creditor, kind=DossierKind.GAS4, notified=True)
    content = coda_statement(
        iban=creditor.iban,
        credits=[Credit(fine.amount_due_cents, ogm=fine.ogm)],
        day=dt.date(2026, 11, 19),
        statement_number=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        coda_import(organisation=creditor, content=content, file_name="stat.cod")
    payment = Payment.objects.get()
    html = citizen_client.get(reverse("payments:receipt", args=[payment.reference])).content.decode()
    assert f"Overschrijving met gestructureerde mededeling {ogm_display(fine.ogm)}" in html
    assert "19 november 2026" in html  # the bank's value date
    text = pdf_text(citizen_client.get(reverse("payments:receipt_pdf", args=[payment.reference])).content)
    assert ogm_display(fine.ogm) in text


def test_another_party_gets_a_404_for_the_receipt_and_its_pdf(
    client, dossier, creditor, stripe_standin, django_capture_on_commit_callbacks, citizen_client
):
    payment = pay_online(citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks, "card")
    citizen_client.logout()
    other = UserFactory()
    person_party(user=other, name="Piet Peeters")
    client.force_login(other)
    assert client.get(reverse("payments:receipt", args=[payment.reference])).status_code == 404
    assert client.get(reverse("payments:receipt_pdf", args=[payment.reference])).status_code == 404


def test_a_payment_that_has_not_succeeded_has_no_receipt(citizen_client, dossier, stripe_standin):
    citizen_client.post(pay_url(dossier), {"dossier": [dossier.reference]})
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.OPEN
    assert citizen_client.get(reverse("payments:receipt", args=[payment.reference])).status_code == 404
    detail = citizen_client.get(reverse("eloket:dossier_detail", args=[dossier.reference]))
    assert 'data-testid="receipt-links"' not in detail.content.decode()


def test_the_dossier_page_and_the_payment_page_link_to_the_receipt(
    citizen_client, dossier, creditor, stripe_standin, django_capture_on_commit_callbacks
):
    payment = pay_online(
        citizen_client, dossier, stripe_standin, django_capture_on_commit_callbacks, "bancontact"
    )
    detail = citizen_client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
    assert reverse("payments:receipt", args=[payment.reference]) in detail
    assert reverse("payments:receipt_pdf", args=[payment.reference]) in detail
    status = citizen_client.get(reverse("payments:status", args=[payment.reference])).content.decode()
    assert reverse("payments:receipt", args=[payment.reference]) in status


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("0403019261", "0403.019.261"), ("BE 403.019.261", "0403.019.261"), ("", ""), ("12345", "12345")],
)
def test_an_enterprise_number_is_shown_grouped_four_three_three(stored, shown):
    assert enterprise_number_display(stored) == shown
