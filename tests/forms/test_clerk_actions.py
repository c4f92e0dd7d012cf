import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.models import Notification
from forms import triage
from forms.constants import SubmissionStatus
from forms.models import OrganisationLogEntry, StandardReply, Submission, SubmissionMessage
from tests.factories import DossierFactory, person_party
from tests.forms.clerk_fixtures import *  # noqa: F403
from tests.forms.triage_helpers import clerk_make, submission_make

pytestmark = pytest.mark.django_db


def url(name, submission, *args):
    return reverse(f"eloket_forms_admin:{name}", args=[submission.reference, *args])


def log_actions(submission) -> list[str]:
    return list(
        OrganisationLogEntry.objects.for_instance(submission).order_by("id").values_list("action", flat=True)
    )


def test_a_clerk_takes_a_submission_and_the_audit_log_says_so(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    response = client.post(url("take", genk_contest))
    assert response.status_code == 302
    genk_contest.refresh_from_db()
    assert genk_contest.assignee == genk_clerk
    assert genk_contest.status == SubmissionStatus.IN_PROGRESS
    entry = OrganisationLogEntry.objects.for_instance(genk_contest).get()
    assert entry.action == "eloket_forms.assign" and entry.user == genk_clerk


def test_assigning_to_a_clerk_of_another_organisation_is_refused(
    client, genk_clerk, hasselt_clerk, genk_contest
):
    with pytest.raises(ValidationError):
        triage.submission_assign(submission=genk_contest, assignee=hasselt_clerk, actor=genk_clerk)
    client.force_login(genk_clerk)
    response = client.post(url("assign", genk_contest), {"assignee": hasselt_clerk.pk})
    assert response.status_code == 400
    genk_contest.refresh_from_db()
    assert genk_contest.assignee is None
    assert log_actions(genk_contest) == []


def test_assign_to_a_colleague_of_the_same_organisation(client, genk, genk_clerk, genk_contest):
    colleague = clerk_make(organisations=[genk])
    client.force_login(genk_clerk)
    client.post(url("assign", genk_contest), {"assignee": colleague.pk})
    genk_contest.refresh_from_db()
    assert genk_contest.assignee == colleague


def test_bulk_assign_skips_submissions_outside_the_clerks_organisations(
    client, genk, genk_clerk, genk_contest, hasselt_contest
):
    question = submission_make(organisation=genk, reference="V-BULK22")
    client.force_login(genk_clerk)
    response = client.post(
        reverse("eloket_forms_admin:bulk_assign"),
        {
            "submissions": [genk_contest.reference, question.reference, hasselt_contest.reference],
            "assignee": genk_clerk.pk,
            "next_query": "status=open",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?status=open")
    assert set(Submission.objects.filter(assignee=genk_clerk).values_list("reference", flat=True)) == {
        genk_contest.reference,
        question.reference,
    }
    hasselt_contest.refresh_from_db()
    assert hasselt_contest.assignee is None


def test_a_reply_is_previewed_before_it_is_sent(
    client, genk_clerk, genk_contest, django_capture_on_commit_callbacks
):
    client.force_login(genk_clerk)
    data = {"kind": "reply", "body": "Wij bekijken uw ticket."}
    preview = client.post(url("message", genk_contest), {**data, "preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Antwoord op uw inzending V-GENK22" in html
    assert "Wij bekijken uw ticket." in html
    assert "/mijn/berichten/V-GENK22/" in html or "V-GENK22" in html
    assert not SubmissionMessage.objects.exists() and not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url("message", genk_contest), {**data, "send": "1"})
    assert sent.status_code == 302
    genk_contest.refresh_from_db()
    assert genk_contest.status == SubmissionStatus.IN_PROGRESS
    message = SubmissionMessage.objects.get()
    assert message.author_kind == "clerk" and not message.requests_information
    notification = Notification.objects.get(key=f"submission-message:{message.pk}")
    assert notification.to_email == genk_contest.contact_email
    assert len(mail.outbox) == 1 and "Wij bekijken uw ticket." in mail.outbox[0].body
    assert "V-GENK22" in mail.outbox[0].body
    assert genk_contest.dossier.timeline.filter(kind=TimelineEventKind.SUBMISSION).exists()
    assert log_actions(genk_contest) == ["eloket_forms.reply"]


def test_requesting_information_waits_for_the_citizen_and_mails_them_in_their_language(
    client, genk_clerk, genk_contest
):
    Submission.objects.filter(pk=genk_contest.pk).update(language="fr")
    client.force_login(genk_clerk)
    client.post(
        url("message", genk_contest),
        {"kind": "request_information", "body": "Envoyez le ticket.", "send": "1"},
    )
    genk_contest.refresh_from_db()
    assert genk_contest.status == SubmissionStatus.INFO_REQUESTED
    assert SubmissionMessage.objects.get().requests_information
    notification = Notification.objects.get()
    assert notification.language == "fr"
    assert "/fr/" in notification.body_text
    assert genk_contest.dossier.timeline.filter(kind=TimelineEventKind.INFO_REQUESTED).exists()
    assert log_actions(genk_contest) == ["eloket_forms.request_information"]


def test_a_question_is_closed_by_its_reply(client, genk, genk_clerk):
    question = submission_make(organisation=genk, purpose="question", reference="V-ASK222")
    client.force_login(genk_clerk)
    detail = client.get(url("detail", question))
    assert detail.context["message_form"].initial["close"] is True
    client.post(url("message", question), {"kind": "reply", "body": "Ja.", "close": "on", "send": "1"})
    question.refresh_from_db()
    assert question.status == SubmissionStatus.CLOSED and question.closed_at is not None


def test_an_empty_message_is_refused(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    response = client.post(url("message", genk_contest), {"kind": "reply", "body": "", "send": "1"})
    assert response.status_code == 400
    assert not SubmissionMessage.objects.exists()


def test_a_standard_reply_fills_the_message_server_side(client, genk, hasselt, genk_clerk, genk_contest):
    mine = StandardReply.objects.create(
        organisation=genk,
        purpose="contest",
        title="Ticket",
        body="Beste {name}, over {dossier} ({reference}).",
    )
    theirs = StandardReply.objects.create(organisation=hasselt, title="Ander", body="Niet van u")
    client.force_login(genk_clerk)
    detail = client.get(url("detail", genk_contest), {"antwoord": mine.pk})
    assert detail.context["message_form"].initial["body"] == (
        f"Beste Jan Janssens, over {genk_contest.dossier.reference} (V-GENK22)."
    )
    assert "Ander" not in detail.content.decode()
    other = client.get(url("detail", genk_contest), {"antwoord": theirs.pk})
    assert "body" not in other.context["message_form"].initial


def test_upholding_a_contest_cancels_the_dossier_and_mails_the_motivation(
    client, genk_clerk, genk_contest, django_capture_on_commit_callbacks
):
    client.force_login(genk_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("decide", genk_contest), {"decision": "upheld", "motivation": "Uw ticket was geldig."}
        )
    assert response.status_code == 302
    genk_contest.refresh_from_db()
    genk_contest.dossier.refresh_from_db()
    assert genk_contest.status == SubmissionStatus.DECIDED and genk_contest.decision == "upheld"
    assert genk_contest.dossier.status == DossierStatus.CANCELLED
    event = genk_contest.dossier.timeline.get(kind=TimelineEventKind.DECIDED_UPHELD)
    assert event.actor == genk_clerk and event.data["submission"] == "V-GENK22"
    assert Notification.objects.filter(key=f"submission-decided:{genk_contest.pk}").exists()
    assert "Uw ticket was geldig." in mail.outbox[-1].body
    assert log_actions(genk_contest) == ["eloket_forms.decide"]


def test_partly_upholding_lowers_the_amount(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    client.post(
        url("decide", genk_contest),
        {"decision": "partly_upheld", "amount_eur": "5,00", "motivation": "Deels."},
    )
    genk_contest.dossier.refresh_from_db()
    assert genk_contest.dossier.amount_original_cents == 500
    genk_contest.refresh_from_db()
    assert genk_contest.decision_amount_cents == 500


def test_a_decision_without_motivation_or_with_a_too_high_amount_shows_the_errors(
    client, genk_clerk, genk_contest
):
    client.force_login(genk_clerk)
    response = client.post(url("decide", genk_contest), {"decision": "rejected", "motivation": ""})
    assert response.status_code == 400
    response = client.post(
        url("decide", genk_contest),
        {"decision": "partly_upheld", "amount_eur": "999", "motivation": "Deels."},
    )
    assert response.status_code == 400
    assert "lager is dan het oorspronkelijke bedrag" in response.content.decode()
    genk_contest.refresh_from_db()
    assert genk_contest.status == SubmissionStatus.RECEIVED
    assert genk_contest.dossier.status == DossierStatus.CONTESTED


def gas_defence(organisation):
    return DossierFactory(
        party=person_party(),
        organisation=organisation,
        municipality=organisation.municipalities.get(),
        kind=DossierKind.GAS4,
        defence=True,
    )


def test_rejecting_a_gas_defence_makes_it_payable_again_with_a_new_term(genk, genk_clerk):
    dossier = gas_defence(genk)
    defence = submission_make(organisation=genk, dossier=dossier, purpose="defence")
    triage.submission_decide(
        submission=defence, decision="rejected", motivation="Foto toont het.", actor=genk_clerk
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOTIFIED
    assert dossier.pay_by is not None and dossier.pay_by >= dt.date.today() + dt.timedelta(days=29)
    with pytest.raises(ValidationError):
        triage.submission_decide(
            submission=defence, decision="rejected", motivation="Nog eens", actor=genk_clerk
        )


def test_a_gas_amount_cannot_be_partly_upheld(genk, genk_clerk):
    dossier = gas_defence(genk)
    defence = submission_make(organisation=genk, dossier=dossier, purpose="defence")
    with pytest.raises(ValidationError) as error:
        triage.submission_decide(
            submission=defence,
            decision="partly_upheld",
            amount_cents=100,
            motivation="Deels",
            actor=genk_clerk,
        )
    assert "ligt vast bij wet" in str(error.value)
    defence.refresh_from_db()
    assert defence.status == SubmissionStatus.RECEIVED


def test_closing_keeps_the_note_internal(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    client.post(url("close", genk_contest), {"note": "Dubbel ingediend"})
    genk_contest.refresh_from_db()
    assert genk_contest.status == SubmissionStatus.CLOSED
    entry = OrganisationLogEntry.objects.for_instance(genk_contest).get()
    assert entry.action == "eloket_forms.close" and entry.data["note"] == "Dubbel ingediend"
    assert not Notification.objects.exists()
    assert client.post(url("close", genk_contest), {"note": "nog eens"}).status_code == 302
    assert OrganisationLogEntry.objects.for_instance(genk_contest).count() == 1


def test_the_detail_shows_dossier_facts_evidence_attachments_thread_and_earlier_submissions(
    client, genk, genk_clerk, genk_contest
):
    earlier = submission_make(
        organisation=genk, party=genk_contest.party, purpose="question", reference="V-EARL22"
    )
    client.force_login(genk_clerk)
    response = client.get(url("detail", genk_contest))
    html = response.content.decode()
    assert response.status_code == 200
    assert genk_contest.dossier.reference in html and "1-ABC-123" in html
    assert "ticket.png" in html and "Ik had een ticket." in html
    assert earlier.reference in html
    evidence = genk_contest.dossier.evidence.get()
    assert url("evidence", genk_contest, evidence.pk) in html
    attachment = genk_contest.attachments.get()
    download = client.get(url("attachment", genk_contest, attachment.pk))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(url("evidence", genk_contest, evidence.pk)).status_code == 200
