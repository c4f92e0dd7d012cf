"""Letters through the API (a city system gives the postal address, fetches its batches and PDFs) and
in the admin (a clerk downloads the zip; texts are edited per organisation), each scoped to the
key's or the clerk's organisation."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eloket.constants import DossierKind
from eloket.letters.services import letters_batch_build
from eloket.models import ApiScope, LetterText, PostalAddress
from tests.eloket.api.conftest import make_key
from tests.factories import DossierFactory, OrganisationFactory, person_party
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)
ADDRESS = {"name": "Jan Janssens", "street": "Stationsstraat 12", "postal_code": "3600", "town": "Genk"}


def api_for(organisation, **kwargs) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(organisation, **kwargs)}")
    return client


@pytest.fixture
def dossier():
    return DossierFactory(party=person_party(), kind=DossierKind.PARKING_RETRIBUTION)


def test_a_city_system_gives_the_address_then_fetches_the_batch_and_the_pdf(dossier):
    api = api_for(dossier.organisation)
    url = reverse("api:dossier_postal_address", args=[dossier.external_id])

    assert api.put(url, {**ADDRESS, "country": "be"}, format="json").status_code == 400  # per field
    response = api.put(url, ADDRESS, format="json")
    assert response.status_code == 200 and response.json()["country"] == "BE"
    assert api.put(url, {**ADDRESS, "street": "Markt 1"}, format="json").status_code == 200
    assert PostalAddress.objects.get(dossier=dossier).street == "Markt 1"  # replaced, not added

    letters_batch_build(organisation=dossier.organisation, day=DAY)
    batches = api.get(reverse("api:letter_batches")).json()
    assert [batch["day"] for batch in batches] == ["2026-12-07"]
    (row,) = batches[0]["letters"]
    assert (row["dossier"], row["street"], row["kind"]) == (dossier.reference, "Markt 1", "notification")
    pdf = api.get(reverse("api:letter_pdf", args=[batches[0]["id"], row["letter_id"]]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_another_organisations_key_sees_no_batch_and_no_letter(dossier):
    PostalAddress.objects.create(dossier=dossier, **ADDRESS)
    batch = letters_batch_build(organisation=dossier.organisation, day=DAY).batch
    letter = batch.letters.get()
    stranger = api_for(OrganisationFactory())

    assert stranger.get(reverse("api:letter_batches")).json() == []
    assert stranger.get(reverse("api:letter_pdf", args=[batch.pk, letter.pk])).status_code == 404
    url = reverse("api:dossier_postal_address", args=[dossier.external_id])
    assert stranger.put(url, ADDRESS, format="json").status_code == 404


def test_the_batches_need_the_letters_scope(dossier):
    api = api_for(dossier.organisation, scopes=[ApiScope.DOSSIERS_READ])

    assert api.get(reverse("api:letter_batches")).status_code == 403


def test_a_clerk_downloads_the_zip_of_their_organisation_only(client, dossier):
    PostalAddress.objects.create(dossier=dossier, **ADDRESS)
    batch = letters_batch_build(organisation=dossier.organisation, day=DAY).batch
    other = OrganisationFactory()
    clerk = clerk_make(organisations=[dossier.organisation], username="clerk-brieven")
    stranger = clerk_make(organisations=[other], username="clerk-elders")
    url = reverse("eloket_letters_batch_download", args=[batch.pk])

    client.force_login(clerk)
    listing = client.get(reverse("eloket_letters_batches")).content.decode()
    assert "07/12/2026" in listing
    response = client.get(url)
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "manifest.csv" in names and any(name.endswith(".pdf") for name in names)

    client.force_login(stranger)
    assert client.get(url, follow=True).status_code == 404
    assert "07/12/2026" not in client.get(reverse("eloket_letters_batches")).content.decode()


def test_a_clerk_writes_a_letter_text_for_their_organisation_but_not_with_anothers_regulation(
    client, dossier
):
    clerk = clerk_make(organisations=[dossier.organisation], username="clerk-teksten")
    foreign_regulation = DossierFactory(party=person_party(name="Ander")).regulation
    client.force_login(clerk)
    data = {
        "organisation": dossier.organisation.pk,
        "kind": "notification",
        "language": "nl",
        "opening": "Beste bestuurder,",
        "closing": "",
        "signatory": "",
    }

    refused = client.post(reverse("letter_texts:add"), {**data, "regulation": foreign_regulation.pk})
    assert refused.status_code == 200 and not LetterText.objects.exists()
    created = client.post(reverse("letter_texts:add"), {**data, "regulation": dossier.regulation.pk})
    assert created.status_code == 302
    assert LetterText.objects.get().regulation == dossier.regulation
