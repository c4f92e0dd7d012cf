"""A citizen contests, defends, names the driver or asks a question through their city's form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.models import Notification
from forms.constants import ContestReason, Purpose, ScanStatus, SubmissionStatus
from forms.models import Submission, SubmissionAttachment
from tests.factories import DossierFactory, OrganisationFactory
from tests.forms.citizen_helpers import form_page_make, png_bytes, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest_page(genk_page, genk_city):
    return form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, title="Bezwaar retributie",
        email_subject="Uw bezwaar bij Stad Genk", email_text="We behandelen uw bezwaar binnen 30 dagen.",
    )  # fmt: skip


@pytest.fixture
def logged_in(client, citizen):
    client.force_login(citizen[0])
    return client


def form_url(dossier, action="contest"):
    return reverse("eloket_forms:dossier_form", args=[dossier.reference, action])


def token_from(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode()).group(1)


def contest_post(client, dossier, *, files=(), token=None, **extra):
    if token is None:
        token = token_from(client.get(form_url(dossier)))
    data = {
        "idempotency_key": token,
        "contest_reason": ContestReason.VALID_TICKET,
        "message": "Ik had een ticket, het lag achter de voorruit.",
        "nummer_van_uw_parkeerticket": "T-12345",
        **extra,
    }
    if files:
        data["fotos_of_documenten"] = list(files)
    return client.post(form_url(dossier), data)


def test_the_dossier_page_offers_a_contest_only_when_the_organisation_has_a_form_for_it(
    logged_in, retribution, genk_city, genk_page
):
    detail = reverse("eloket:dossier_detail", args=[retribution.reference])
    assert form_url(retribution) not in logged_in.get(detail).content.decode()
    contest_page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST)
    content = logged_in.get(detail).content.decode()
    assert form_url(retribution) in content
    assert "Bezwaar indienen" in content
    contest_page.unpublish()
    assert form_url(retribution) not in logged_in.get(detail).content.decode()


def test_the_form_shows_the_dossier_the_citizen_and_the_legal_deadline_read_only(
    logged_in, retribution, contest_page
):
    response = logged_in.get(form_url(retribution))
    content = response.content.decode()
    assert response.status_code == 200
    assert retribution.reference in content
    assert "Anna Aerts" in content
    assert retribution.party.identifier_masked not in content
    assert retribution.contest_by.strftime("%Y") in re.search(
        r'data-testid="legal-due">([^<]+)<', content
    ).group(1)
    assert all(str(label) in content for label in ContestReason.labels)
    assert 'name="contest_reason"' in content and "<legend>" in content
    # The citizen's identity is shown, never an input they could change.
    assert 'name="contact_name"' not in content


def test_a_contest_with_a_photo_files_one_submission_puts_the_dossier_on_hold_and_sends_a_receipt(
    logged_in, retribution, contest_page, private_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = contest_post(logged_in, retribution, files=[upload("foto.png", png_bytes())])
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "eloket_forms:submission_confirmation", args=[submission.reference]
    )
    assert submission.organisation == contest_page.organisation
    assert submission.municipality == retribution.municipality
    assert (submission.purpose, submission.dossier, submission.dossier_kind) == (
        Purpose.CONTEST, retribution, DossierKind.PARKING_RETRIBUTION,
    )  # fmt: skip
    assert submission.plate_normalised == retribution.plate_normalised
    assert (submission.party, submission.contact_name, submission.contact_email) == (
        retribution.party, "Anna Aerts", "jan@example.be",
    )  # fmt: skip
    assert submission.contest_reason == ContestReason.VALID_TICKET
    assert submission.form_data == {
        "nummer_van_uw_parkeerticket": "T-12345",
        "fotos_of_documenten": ["foto.png"],
    }
    assert submission.legal_due == retribution.contest_by and not submission.filed_late
    assert submission.status == SubmissionStatus.RECEIVED
    assert submission.clerk_due is not None  # routed by forms.triage
    assert submission.page.pk == contest_page.pk
    message = submission.messages.get()
    assert message.body.startswith("Ik had een ticket")
    attachment = message.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("foto.png", "image/png")
    assert attachment.scan_status == ScanStatus.NOT_SCANNED
    assert stored_files(private_storage) == [attachment.file.name]
    assert (
        attachment.file.name.startswith(f"submissions/{submission.pk}/")
        and "foto" not in attachment.file.name
    )

    retribution.refresh_from_db()
    assert retribution.status == DossierStatus.CONTESTED
    event = retribution.timeline.get(kind=TimelineEventKind.CONTESTED)
    assert event.note == submission.reference and event.actor_label == "Anna Aerts"

    notification = Notification.objects.get(key=f"submission-received:{submission.reference}")
    assert notification.subject == f"Uw bezwaar bij Stad Genk ({submission.reference})"
    assert "We behandelen uw bezwaar binnen 30 dagen." in notification.body_text
    assert reverse("eloket_forms:submission_detail", args=[submission.reference]) in notification.body_text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jan@example.be"]

    confirmation = logged_in.get(response["Location"]).content.decode()
    assert submission.reference in confirmation
    assert "Bedankt voor uw bericht." in confirmation
    assert "U diende op tijd in" in confirmation


def test_a_refreshed_or_double_clicked_submit_creates_one_submission(
    logged_in, retribution, contest_page, private_storage
):
    token = token_from(logged_in.get(form_url(retribution)))
    first = contest_post(logged_in, retribution, token=token, files=[upload("a.png", png_bytes())])
    second = contest_post(logged_in, retribution, token=token, files=[upload("a.png", png_bytes())])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Submission.objects.count() == 1
    assert SubmissionAttachment.objects.count() == 1
    assert len(stored_files(private_storage)) == 1


def test_a_late_contest_is_accepted_flagged_and_the_citizen_sees_the_deadline_that_applied(
    logged_in, retribution, contest_page
):
    deadline = dt.date.today() - dt.timedelta(days=3)
    type(retribution).objects.filter(pk=retribution.pk).update(contest_by=deadline)
    form = logged_in.get(form_url(retribution)).content.decode()
    assert 'data-testid="late-notice"' in form
    response = contest_post(logged_in, retribution)
    submission = Submission.objects.get()
    assert submission.filed_late and submission.legal_due == deadline
    confirmation = logged_in.get(response["Location"]).content.decode()
    assert "liep af op" in confirmation
    assert str(deadline.day) in re.search(r'data-testid="deadline-applied">([^<]+)<', confirmation).group(1)


def test_a_dossier_that_is_already_contested_gets_a_clear_message_and_nothing_is_saved(
    logged_in, citizen, genk_city, municipalities, contest_page
):
    dossier = DossierFactory(
        party=citizen[1], organisation=genk_city, municipality=municipalities["genk"], contested=True
    )
    response = logged_in.get(form_url(dossier))
    assert response.status_code == 409
    assert "loopt al een bezwaar" in response.content.decode()
    assert contest_post(logged_in, dossier, token="x" * 20).status_code == 409
    assert Submission.objects.count() == 0
    detail = logged_in.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
    assert form_url(dossier) not in detail


def test_a_missing_reason_is_a_field_error_linked_from_the_summary(logged_in, retribution, contest_page):
    response = contest_post(logged_in, retribution, contest_reason="")
    content = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_contest_reason_0"' in content
    assert 'aria-describedby="id_contest_reason_error"' in content
    assert Submission.objects.count() == 0


def test_a_question_about_a_dossier_is_noted_on_its_timeline_without_changing_its_status(
    logged_in, retribution, genk_page, genk_city
):
    form_page_make(
        parent=genk_page,
        organisation=genk_city,
        purpose=Purpose.QUESTION,
        kinds=[DossierKind.PARKING_RETRIBUTION],
    )
    url = form_url(retribution, "ask")
    token = token_from(logged_in.get(url))
    response = logged_in.post(
        url, {"idempotency_key": token, "message": "Waar stond ik?", "onderwerp": "Plaats"}
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    retribution.refresh_from_db()
    assert retribution.status == DossierStatus.NOTIFIED
    event = retribution.timeline.get(kind=TimelineEventKind.SUBMISSION)
    assert event.note == submission.reference
    assert submission.legal_due is None and not submission.filed_late


def test_naming_the_driver_of_a_gas_fine_notes_it_on_the_timeline(client, citizen, municipalities, genk_page):
    gas_service = OrganisationFactory(municipalities=[municipalities["genk"]])
    dossier = DossierFactory(
        party=citizen[1], kind=DossierKind.GAS4, organisation=gas_service,
        municipality=municipalities["genk"], notified=True,
    )  # fmt: skip
    form_page_make(parent=genk_page, organisation=gas_service, purpose=Purpose.NAME_DRIVER)
    client.force_login(citizen[0])
    url = form_url(dossier, "name_driver")
    token = token_from(client.get(url))
    response = client.post(
        url,
        {
            "idempotency_key": token,
            "naam_van_de_bestuurder": "Piet Peeters",
            "adres_van_de_bestuurder": "Markt 1",
        },
    )
    assert response.status_code == 302
    assert Submission.objects.get().form_data["naam_van_de_bestuurder"] == "Piet Peeters"
    assert dossier.timeline.filter(kind=TimelineEventKind.DRIVER_NAMED).exists()


def test_the_form_of_the_dossiers_own_city_wins_over_one_elsewhere_of_the_same_organisation(
    logged_in, citizen, municipalities, genk_page, vilvoorde_page
):
    from forms.selectors import form_page_for_dossier

    shared = OrganisationFactory(municipalities=[municipalities["genk"], municipalities["vilvoorde"]])
    form_page_make(parent=genk_page, organisation=shared, purpose=Purpose.CONTEST, title="Genk")
    vilvoorde_form = form_page_make(
        parent=vilvoorde_page, organisation=shared, purpose=Purpose.CONTEST, title="Vilvoorde"
    )
    dossier = DossierFactory(
        party=citizen[1], organisation=shared, municipality=municipalities["vilvoorde"], notified=True
    )
    assert form_page_for_dossier(dossier=dossier, purpose=Purpose.CONTEST).pk == vilvoorde_form.pk
    assert form_page_for_dossier(dossier=dossier, purpose=Purpose.DEFENCE) is None


def test_a_form_about_a_dossier_opened_at_its_own_address_sends_the_citizen_to_their_dossiers(
    client, contest_page
):
    response = client.get(contest_page.url)
    assert response.status_code == 200
    assert reverse("eloket:overview") in response.content.decode()
    assert 'name="message"' not in response.content.decode()


@pytest.fixture
def question_page(genk_page, genk_city):
    return form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.QUESTION, title="Een vraag stellen",
        allow_anonymous=True,
    )  # fmt: skip


def question_post(client, page, **extra):
    token = token_from(client.get(page.url))
    data = {
        "idempotency_key": token,
        "contact_name": "Bezoeker Zonder Eid",
        "contact_email": "bezoeker@example.org",
        "message": "Waar kan ik parkeren met een camper?",
        "onderwerp": "Camper",
        **extra,
    }
    return client.post(page.url, data)


def test_a_general_question_can_be_asked_from_the_city_page_without_logging_in(
    client, question_page, genk_page, django_capture_on_commit_callbacks
):
    city = client.get(genk_page.url).content.decode()
    assert question_page.url in city
    with django_capture_on_commit_callbacks(execute=True):
        response = question_post(client, question_page)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert submission.party is None and submission.dossier is None
    assert (submission.contact_name, submission.contact_email) == (
        "Bezoeker Zonder Eid",
        "bezoeker@example.org",
    )
    assert submission.municipality.slug == "genk"
    assert submission.form_data == {"onderwerp": "Camper"}
    assert mail.outbox[0].to == ["bezoeker@example.org"]
    assert "/mijn/berichten/" not in mail.outbox[0].body
    assert submission.reference in client.get(response["Location"]).content.decode()


def test_an_anonymous_question_needs_a_name_and_an_email_address(client, question_page):
    response = question_post(client, question_page, contact_name="", contact_email="geen-adres")
    content = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_contact_name"' in content and 'href="#id_contact_email"' in content
    assert Submission.objects.count() == 0


def test_a_form_without_anonymous_use_asks_to_log_in(client, genk_page, genk_city):
    page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.COMPLAINT, kinds=[])
    response = client.get(page.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("eloket:login"))


def test_the_public_question_form_is_rate_limited_per_address(client, question_page, settings):
    settings.ELOKET_PUBLIC_FORM_RATE = "2/10m"
    cache.clear()
    assert question_post(client, question_page).status_code == 302
    assert question_post(client, question_page).status_code == 302
    blocked = question_post(client, question_page)
    assert blocked.status_code == 429
    assert "Even geduld" in blocked.content.decode()
    assert Submission.objects.count() == 2
    cache.clear()


def test_the_dossier_form_opens_in_the_citizens_language_and_falls_back_to_dutch(
    logged_in, retribution, contest_page, genk_page, locales, translate
):
    dutch_url = form_url(retribution)
    translate(genk_page.get_parent(), locales["fr"])
    translate(genk_page, locales["fr"])
    french = translate(contest_page, locales["fr"])
    french.title = "Contester une redevance"
    french.save_revision().publish()
    pages = {
        language: logged_in.get(dutch_url.replace("/nl/", f"/{language}/", 1)).content.decode()
        for language in ("nl", "fr", "en")
    }
    assert "Contester une redevance" in pages["fr"]
    assert "Bezwaar retributie" in pages["nl"]
    assert "Bezwaar retributie" in pages["en"]  # no English translation: the Dutch form
