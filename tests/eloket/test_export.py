"""'Download my data' (eloket.data_export): a ZIP of the acting party's own data and files only."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from eloket.constants import NotificationStatus
from eloket.models import Evidence, Notification
from eloket.services import evidence_add
from forms.models import SubmissionAttachment, SubmissionMessage
from tests.factories import (
    DossierFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    enterprise_party,
    person_party,
)
from tests.forms.triage_helpers import submission_make

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 16
URL = "/nl/mijn/gegevens/"


@pytest.fixture(autouse=True)
def storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(SubmissionAttachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def genk():
    municipality = MunicipalityFactory(name_nl="Genk")
    return OrganisationFactory(name_nl="Stad Genk", municipalities=[municipality])


def dossier_of(party, organisation, **fields):
    return DossierFactory(
        party=party, organisation=organisation, municipality=organisation.municipalities.first(), **fields
    )


def export(client) -> tuple[dict, zipfile.ZipFile]:
    response = client.post(reverse("eloket:data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return json.loads(archive.read("data.json")), archive


@pytest.fixture
def anna(client, genk):
    user = UserFactory(email="anna@example.be")
    party = person_party(name="Anna Aerts", user=user)
    dossier = dossier_of(party, genk, notified=True, plate="1-ANN-001")
    evidence_add(dossier=dossier, content=PNG, filename="foto.png", content_type="image/png", caption="Foto")
    submission = submission_make(
        organisation=genk, dossier=dossier, purpose="contest", message="Ik had een ticket.",
        contact_name="Anna Aerts", form_data={"ticket": "T-123"},
    )  # fmt: skip
    SubmissionMessage.objects.create(
        submission=submission, author_kind="citizen", body="Hier is mijn ticket."
    )
    attachment = SubmissionAttachment(
        submission=submission, original_name="mijn ticket.png", content_type="image/png", size=len(PNG)
    )
    attachment.file.save("ticket.png", ContentFile(PNG), save=False)
    attachment.save()
    Notification.objects.create(
        key="anna-1", template="new_dossier", to_email="anna@example.be", subject="Nieuw dossier",
        body_text="Er is een nieuw dossier.", party=party, dossier=dossier, status=NotificationStatus.SENT,
    )  # fmt: skip
    client.force_login(user)
    return user, party, dossier, submission


def test_the_export_holds_the_partys_dossiers_timeline_submissions_mails_and_files(client, anna):
    _user, party, dossier, submission = anna

    data, archive = export(client)

    assert data["party"]["display_name"] == "Anna Aerts"
    assert data["party"]["identifier_masked"] == party.identifier_masked
    assert data["mail_preferences"]["mail_new_dossier"] is True
    [exported] = data["dossiers"]
    assert (exported["reference"], exported["plate"], exported["organisation"]) == (
        dossier.reference, "1-ANN-001", "Stad Genk",
    )  # fmt: skip
    assert [event["status_to"] for event in exported["timeline"]][-1] == "notified"
    evidence_path = exported["evidence"][0]["file"]
    assert archive.read(evidence_path) == PNG
    [sent] = data["submissions"]
    assert (sent["reference"], sent["message"], sent["dossier"]) == (
        submission.reference,
        "Ik had een ticket.",
        dossier.reference,
    )
    assert {"question": "ticket", "answer": "T-123"} in sent["answers"]
    assert sent["messages"][0]["body"] == "Hier is mijn ticket."
    assert archive.read(sent["attachments"][0]["file"]) == PNG
    assert [mail["subject"] for mail in data["emails"]] == ["Nieuw dossier"]


def test_the_export_names_the_login_its_linked_identity_and_second_factor_without_secrets(client, anna):
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    user, _party, _dossier, _submission = anna
    SocialAccount.objects.create(user=user, provider="acmidm", uid="SUBJECT-85073003328", extra_data={})
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "GEHEIMTOTP"})
    enterprise_party(name="Aerts BV", representative=user)

    data, _archive = export(client)

    [login] = data["logins"]
    assert (login["role"], login["email"]) == ("self", "anna@example.be")
    assert [identity["provider"] for identity in login["identities"]] == ["acmidm"]
    assert [factor["type"] for factor in login["second_factors"]] == ["totp"]
    raw = json.dumps(data)
    assert "SUBJECT-85073003328" not in raw and "GEHEIMTOTP" not in raw
    assert "Aerts BV" not in raw  # the company is another party: its data is in its own export


def test_a_companys_export_names_its_representatives_only_by_role(client, genk):
    user = UserFactory(email="zaakvoerder@example.be")
    person = person_party(name="Zeno Zaakvoerder", user=user)
    company = enterprise_party(name="Zaak NV", representative=user)
    client.force_login(user)
    client.post(reverse("eloket:acting_as"), {"party": company.pk})

    data, _archive = export(client)

    assert data["party"]["display_name"] == "Zaak NV"
    [login] = data["logins"]
    assert set(login) == {"role", "since"} and login["role"] != "self"
    assert "zaakvoerder@example.be" not in json.dumps(data) and person.display_name not in json.dumps(data)


def test_another_partys_data_is_not_in_the_export(client, anna, genk):
    other = person_party(name="Bert Bosmans")
    theirs = dossier_of(other, genk, notified=True, plate="2-BER-002")
    evidence_add(dossier=theirs, content=b"\x89PNG\r\n\x1a\nBERT", filename="b.png", content_type="image/png")
    submission_make(organisation=genk, dossier=theirs, contact_name="Bert Bosmans", message="Van Bert")
    Notification.objects.create(
        key="bert-1",
        template="t",
        to_email="bert@example.be",
        subject="Voor Bert",
        body_text="b",
        party=other,
    )

    data, archive = export(client)

    text = archive.read("data.json").decode()
    assert "Bert" not in text and "2-BER-002" not in text and theirs.reference not in text
    assert all(b"BERT" not in archive.read(name) for name in archive.namelist())
    assert len(data["dossiers"]) == 1


def test_a_company_representative_gets_the_companys_data_not_their_own(client, genk):
    user = UserFactory()
    own = person_party(name="Els Claes", user=user)
    company = enterprise_party(name="Bakkerij Claes BV", representative=user)
    company_dossier = dossier_of(company, genk, notified=True, plate="1-BAK-001")
    own_dossier = dossier_of(own, genk, notified=True, plate="1-ELS-001")
    client.force_login(user)
    client.post(reverse("eloket:acting_as"), {"party": company.pk})

    data, _archive = export(client)

    assert data["party"]["display_name"] == "Bakkerij Claes BV"
    assert [d["reference"] for d in data["dossiers"]] == [company_dossier.reference]
    assert own_dossier.reference not in json.dumps(data)


def test_the_page_shows_the_button_and_the_download_needs_a_post(client, anna):
    response = client.get(reverse("eloket:data_export"))

    assert response.status_code == 200
    assert b'data-testid="data-export-button"' in response.content
    assert b'method="post"' in response.content
    assert response.get("Content-Type", "").startswith("text/html")


def test_the_zip_name_and_the_url_carry_no_national_number(client, anna):
    response = client.post(reverse("eloket:data_export"))

    # Only the date in the name; the URL has no parameter at all.
    assert re.fullmatch(
        r'attachment; filename="e-loket-gegevens-\d{4}-\d{2}-\d{2}\.zip"', response["Content-Disposition"]
    )
    assert reverse("eloket:data_export") == URL
    assert response["Cache-Control"] == "private, no-store"


def test_a_second_export_within_a_minute_is_refused(client, anna):
    assert client.post(reverse("eloket:data_export")).status_code == 200

    response = client.post(reverse("eloket:data_export"))

    assert response.status_code == 429
    assert b'data-testid="export-too-soon"' in response.content


def test_an_anonymous_visitor_is_sent_to_the_login(client, db):
    response = client.post(reverse("eloket:data_export"))

    assert response.status_code == 302
    assert reverse("eloket:login") in response["Location"]


def test_the_overview_links_to_the_export(client, anna):
    response = client.get(reverse("eloket:overview"))

    assert b'data-testid="data-export-link"' in response.content


def test_the_number_of_queries_does_not_grow_with_the_number_of_dossiers(client, genk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    party = person_party(name="Vera Vloot", user=user)
    client.force_login(user)

    def queries_for_export() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            export(client)
        return len(captured)

    dossier_of(party, genk, notified=True)
    few = queries_for_export()
    for _ in range(6):
        dossier_of(party, genk, notified=True)
    many = queries_for_export()

    assert many == few
