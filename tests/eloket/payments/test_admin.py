"""Clerk screens: their organisation's payments only, filters and CSV, CODA upload, resolving."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from eloket.constants import DossierStatus, MovementStatus
from eloket.models import BankMovement, StaffMembership
from eloket.payments.coda_build import Credit, coda_statement
from eloket.payments.services import payment_start
from forms.triage import clerk_group_ensure
from tests.factories import DossierFactory, OrganisationFactory, UserFactory, totp_enrol

pytestmark = pytest.mark.django_db


def clerk_of(organisation):
    """A clerk as the admin makes one: in the "Behandelaars" group, a member of the organisation."""
    user = UserFactory(is_staff=True)
    user.groups.add(clerk_group_ensure())
    StaffMembership.objects.create(user=user, organisation=organisation)
    return totp_enrol(user)


@pytest.fixture
def two_payments(citizen, organisation, stripe_standin):
    mine = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    other_org = OrganisationFactory()
    from eloket.models import PaymentAccount

    PaymentAccount.objects.create(organisation=other_org, stripe_account_id="acct_other")
    theirs = DossierFactory(party=citizen[1], organisation=other_org, notified=True)
    return (
        payment_start(party=citizen[1], dossier_ids=[mine.pk]),
        payment_start(party=citizen[1], dossier_ids=[theirs.pk]),
    )


def test_a_clerk_sees_and_exports_only_their_organisations_payments(client, organisation, two_payments):
    mine, theirs = two_payments
    client.force_login(clerk_of(organisation))
    listing = client.get(reverse("eloket_payments:index")).content.decode()
    assert mine.reference in listing
    assert theirs.reference not in listing
    export = client.get(reverse("eloket_payments:index") + "?export=csv")
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert mine.reference in body
    assert theirs.reference not in body
    filtered = client.get(reverse("eloket_payments:index") + "?status=succeeded").content.decode()
    assert mine.reference not in filtered
    assert client.get(reverse("eloket_payments:inspect", args=[theirs.pk]), follow=True).status_code == 404
    assert client.get(reverse("eloket_payments:inspect", args=[mine.pk])).status_code == 200


def test_a_clerk_uploads_a_coda_file_and_resolves_a_partial_payment(
    client, citizen, organisation, django_capture_on_commit_callbacks
):
    exact = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    partial = DossierFactory(party=citizen[1], organisation=organisation, notified=True)
    content = coda_statement(
        iban=organisation.iban,
        credits=[Credit(exact.amount_due_cents, ogm=exact.ogm), Credit(500, ogm=partial.ogm)],
        day=dt.date(2026, 11, 20),
    )
    client.force_login(clerk_of(organisation))
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("eloket_payments_coda_upload"),
            {"organisation": organisation.pk, "file": SimpleUploadedFile("s.cod", content)},
        )
    assert "1 gekoppeld aan een dossier, 1 op te lossen" in response.content.decode()
    exact.refresh_from_db()
    assert exact.status == DossierStatus.PAID
    movement = BankMovement.objects.get(status=MovementStatus.UNMATCHED)
    listing = client.get(reverse("eloket_bank_movements:index") + "?status=unmatched").content.decode()
    assert reverse("eloket_payments_movement_resolve", args=[movement.pk]) in listing
    client.post(
        reverse("eloket_payments_movement_resolve", args=[movement.pk]),
        {"book": "1", "reference": partial.reference, "note": "deel"},
    )
    partial.refresh_from_db()
    assert partial.amount_paid_cents == 500


def test_a_broken_coda_upload_lists_line_numbers_and_stores_nothing(client, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(clerk_of(organisation))
    response = client.post(
        reverse("eloket_payments_coda_upload"),
        {"organisation": organisation.pk, "file": SimpleUploadedFile("x.cod", b"0" * 128 + b"\nrubbish\n")},
    )
    assert response.status_code == 400
    assert "Regel 2" in response.content.decode()
    assert not BankMovement.objects.exists()


def test_a_clerk_of_another_organisation_cannot_upload_for_mine(client, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(clerk_of(OrganisationFactory()))
    response = client.post(
        reverse("eloket_payments_coda_upload"),
        {"organisation": organisation.pk, "file": SimpleUploadedFile("x.cod", b"0")},
    )
    assert "organisation" in response.context["form"].errors


def test_a_citizen_login_cannot_open_the_payment_screens(client, citizen):
    client.force_login(citizen[0])
    assert client.get(reverse("eloket_payments:index")).status_code in (302, 403)
    assert client.get(reverse("eloket_payments_coda_upload")).status_code in (302, 403)
