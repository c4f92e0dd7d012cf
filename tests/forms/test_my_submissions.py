"""'Mijn berichten': the citizen follows their submissions and answers the clerk in the same thread."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from forms import services
from forms.constants import ContestReason, Purpose, SubmissionStatus
from forms.models import SubmissionAttachment, SubmissionMessage
from forms.triage import submission_request_information
from forms.uploads import UploadLimits, upload_check
from tests.forms.citizen_helpers import EXE, PDF, form_page_make, png_bytes, stored_files, upload
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(citizen, retribution, genk_page, genk_city, private_storage):
    page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST)
    photo = upload_check(upload("ticket.png", png_bytes()), limits=UploadLimits())
    return services.submission_create(
        page=page,
        idempotency_key="contest-1",
        form_data={"nummer_van_uw_parkeerticket": "T-1"},
        uploads=[photo],
        message="Mijn ticket lag achter de voorruit.",
        contest_reason=ContestReason.VALID_TICKET,
        dossier=retribution,
        party=citizen[1],
        user=citizen[0],
    ).submission


@pytest.fixture
def asked(contest, genk_city, django_capture_on_commit_callbacks):
    clerk = clerk_make(organisations=[genk_city])
    with django_capture_on_commit_callbacks(execute=True):
        submission_request_information(submission=contest, body="Stuur een foto van het ticket.", actor=clerk)
    contest.refresh_from_db()
    return contest


def detail_url(submission):
    return reverse("eloket_forms:submission_detail", args=[submission.reference])


def test_the_list_shows_the_acting_partys_submissions_with_their_status(client, citizen, contest):
    client.force_login(citizen[0])
    content = client.get(reverse("eloket_forms:submission_list")).content.decode()
    assert contest.reference in content
    assert "Ontvangen" in content
    assert "Mijn berichten" in content


def test_the_detail_shows_the_thread_the_answers_and_the_deadline_that_applied(client, citizen, contest):
    client.force_login(citizen[0])
    content = client.get(detail_url(contest)).content.decode()
    assert "Mijn ticket lag achter de voorruit." in content
    assert "ticket.png" in content
    assert "Ik had een geldig parkeerticket" in content
    assert "Nummer van uw parkeerticket" in content and "T-1" in content
    assert contest.legal_due.strftime("%Y") in content
    assert 'name="body"' not in content  # nothing asked: no answer form


def test_the_dossier_page_links_to_the_submissions_about_it(client, citizen, contest, retribution):
    client.force_login(citizen[0])
    content = client.get(reverse("eloket:dossier_detail", args=[retribution.reference])).content.decode()
    assert detail_url(contest) in content


def test_when_information_is_asked_the_citizen_answers_with_text_and_a_file_in_the_same_thread(
    client, citizen, asked, private_storage
):
    assert asked.status == SubmissionStatus.INFO_REQUESTED
    assert "Stuur een foto van het ticket." in mail.outbox[-1].body
    client.force_login(citizen[0])
    page = client.get(detail_url(asked)).content.decode()
    assert "Stuur een foto van het ticket." in page and 'name="body"' in page
    assert 'enctype="multipart/form-data"' in page

    response = client.post(
        detail_url(asked), {"body": "Hierbij het ticket.", "attachments": [upload("ticket2.pdf", PDF)]}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == SubmissionStatus.INFO_RECEIVED
    answer = asked.messages.order_by("-id").first()
    assert (answer.author_kind, answer.body) == ("citizen", "Hierbij het ticket.")
    assert [a.original_name for a in answer.attachments.all()] == ["ticket2.pdf"]
    after = client.get(detail_url(asked)).content.decode()
    assert "Bedankt, we hebben uw antwoord ontvangen." in after
    assert 'name="body"' not in after


def test_an_answer_with_a_bad_file_is_refused_and_nothing_is_saved(client, citizen, asked, private_storage):
    client.force_login(citizen[0])
    before = (
        SubmissionMessage.objects.count(),
        SubmissionAttachment.objects.count(),
        stored_files(private_storage),
    )
    response = client.post(detail_url(asked), {"body": "Zie bijlage", "attachments": [upload("x.pdf", EXE)]})
    assert response.status_code == 400
    assert "x.pdf is geen foto" in response.content.decode()
    assert (
        SubmissionMessage.objects.count(),
        SubmissionAttachment.objects.count(),
        stored_files(private_storage),
    ) == before
    asked.refresh_from_db()
    assert asked.status == SubmissionStatus.INFO_REQUESTED


def test_an_answer_when_nothing_is_asked_adds_nothing(client, citizen, contest):
    client.force_login(citizen[0])
    response = client.post(detail_url(contest), {"body": "Nog iets"}, follow=True)
    assert "Er wordt geen informatie meer gevraagd" in response.content.decode()
    assert contest.messages.count() == 1


def test_the_citizen_downloads_their_own_attachment(client, citizen, contest):
    client.force_login(citizen[0])
    attachment = contest.attachments.get()
    response = client.get(reverse("eloket_forms:attachment_file", args=[contest.reference, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
