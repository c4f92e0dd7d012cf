import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from forms.constants import SubmissionStatus
from forms.models import SavedFilter, Submission
from tests.forms.clerk_fixtures import *  # noqa: F403
from tests.forms.triage_helpers import clerk_make, submission_make

pytestmark = pytest.mark.django_db

INBOX = "/beheer/inzendingen/"


def references(response) -> set[str]:
    return {s.reference for s in response.context["page"].object_list}


def test_a_clerk_sees_only_their_organisations_submissions(client, genk_clerk, genk_contest, hasselt_contest):
    client.force_login(genk_clerk)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert references(response) == {genk_contest.reference}
    assert hasselt_contest.reference not in response.content.decode()


def test_a_staff_login_without_membership_sees_an_empty_inbox(client, genk, genk_contest):
    nobody = clerk_make(organisations=[])
    client.force_login(nobody)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert references(response) == set()
    assert response.context["status_links"][0]["count"] == 0


def test_the_menu_shows_inzendingen_with_the_open_count(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    page = client.get("/beheer/").content.decode()
    assert "Inzendingen (1)" in page


def test_the_menu_count_follows_a_new_submission_although_the_sidebar_is_cached(
    client, genk, genk_clerk, genk_contest
):
    client.force_login(genk_clerk)
    assert "Inzendingen (1)" in client.get("/beheer/").content.decode()
    submission_make(organisation=genk, purpose="question", reference="V-QUEST3")
    assert "Inzendingen (2)" in client.get("/beheer/").content.decode()


def test_filters_by_status_purpose_and_assignee(client, genk, genk_clerk, genk_contest):
    question = submission_make(organisation=genk, purpose="question", reference="V-QUEST2")
    closed = submission_make(organisation=genk, status=SubmissionStatus.CLOSED, reference="V-CLOSE2")
    Submission.objects.filter(pk=question.pk).update(assignee=genk_clerk)
    client.force_login(genk_clerk)
    assert references(client.get(INBOX, {"status": "open"})) == {genk_contest.reference, question.reference}
    assert references(client.get(INBOX, {"status": "closed"})) == {closed.reference}
    assert references(client.get(INBOX, {"purpose": "contest"})) == {genk_contest.reference}
    assert references(client.get(INBOX, {"assignee": "me"})) == {question.reference}
    assert references(client.get(INBOX, {"assignee": "none"})) == {genk_contest.reference, closed.reference}


def test_overdue_and_late_filters_and_markers(client, genk, genk_clerk, genk_contest):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Submission.objects.filter(pk=genk_contest.pk).update(clerk_due=yesterday, filed_late=True)
    submission_make(
        organisation=genk, clerk_due=yesterday, status=SubmissionStatus.DECIDED, reference="V-DONE22"
    )
    submission_make(
        organisation=genk, clerk_due=timezone.localdate() + dt.timedelta(days=3), reference="V-LATER2"
    )
    client.force_login(genk_clerk)
    response = client.get(INBOX, {"overdue": "on"})
    assert references(response) == {genk_contest.reference}
    html = response.content.decode()
    assert "over tijd" in html and "laattijdig" in html
    assert references(client.get(INBOX, {"filed_late": "on"})) == {genk_contest.reference}


def test_search_by_reference_dossier_reference_or_plate(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    for query in (genk_contest.reference.lower(), genk_contest.dossier.reference, "1abc 123", "1-ABC-123"):
        assert references(client.get(INBOX, {"q": query})) == {genk_contest.reference}, query
    assert references(client.get(INBOX, {"q": "2-XYZ-987"})) == set()


def test_the_municipality_filter_offers_only_the_clerks_municipalities(client, genk, hasselt, genk_clerk):
    client.force_login(genk_clerk)
    choices = dict(client.get(INBOX).context["form"].fields["municipality"].choices)
    assert genk.municipalities.get().pk in choices
    assert hasselt.municipalities.get().pk not in choices


def test_received_date_range(client, genk, genk_clerk, genk_contest):
    old = submission_make(organisation=genk, reference="V-OLD222")
    Submission.objects.filter(pk=old.pk).update(submit_time=timezone.now() - dt.timedelta(days=40))
    client.force_login(genk_clerk)
    since = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert references(client.get(INBOX, {"received_from": since})) == {genk_contest.reference}
    assert references(client.get(INBOX, {"received_to": since})) == {old.reference}


def test_sorted_by_clerk_deadline_then_received(client, genk, genk_clerk):
    today = timezone.localdate()
    late = submission_make(organisation=genk, clerk_due=today + dt.timedelta(days=9), reference="V-LATE22")
    soon = submission_make(organisation=genk, clerk_due=today + dt.timedelta(days=1), reference="V-SOON22")
    # Same deadline as "late", received later: the receipt time breaks the tie.
    later = submission_make(organisation=genk, clerk_due=today + dt.timedelta(days=9), reference="V-LATR22")
    client.force_login(genk_clerk)
    rows = [s.reference for s in client.get(INBOX).context["page"].object_list]
    assert rows == [soon.reference, late.reference, later.reference]


def test_counts_per_status_follow_the_other_filters(client, genk, genk_clerk, genk_contest):
    submission_make(organisation=genk, purpose="question", status=SubmissionStatus.CLOSED)
    client.force_login(genk_clerk)
    counts = {link["value"]: link["count"] for link in client.get(INBOX).context["status_links"]}
    assert counts["open"] == 1 and counts["closed"] == 1 and counts["received"] == 1
    counts = {
        link["value"]: link["count"]
        for link in client.get(INBOX, {"purpose": "contest"}).context["status_links"]
    }
    assert counts["closed"] == 0 and counts["open"] == 1


def test_a_clerk_saves_lists_and_deletes_a_filter(client, genk_clerk, hasselt_clerk, genk_contest):
    client.force_login(genk_clerk)
    response = client.post(
        reverse("eloket_forms_admin:saved_filter_create"),
        {"name": "Mijn bezwaren", "query": "purpose=contest&p=3"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=genk_clerk)
    assert saved.query == "purpose=contest"
    assert "?purpose=contest" in client.get(INBOX).content.decode()
    client.force_login(hasselt_clerk)
    # An admin 404 is redirected by LocaleMiddleware to /nl/beheer/..., which is a 404 as well.
    refused = client.post(reverse("eloket_forms_admin:saved_filter_delete", args=[saved.pk]), follow=True)
    assert refused.status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client.force_login(genk_clerk)
    client.post(reverse("eloket_forms_admin:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_csv_export_is_filtered_and_scoped_and_holds_no_email(
    client, genk, genk_clerk, genk_contest, hasselt_contest
):
    submission_make(organisation=genk, purpose="question", contact_name="=HYPERLINK(1)", reference="V-QUES22")
    client.force_login(genk_clerk)
    response = client.get(reverse("eloket_forms_admin:export", args=["csv"]), {"purpose": "question"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "Referentie"
    assert [row[0] for row in rows[1:]] == ["V-QUES22"]
    assert rows[1][7] == "'=HYPERLINK(1)"
    assert "@" not in content
    assert hasselt_contest.reference not in content


def test_xlsx_export_has_the_scoped_rows(client, genk_clerk, genk_contest, hasselt_contest):
    client.force_login(genk_clerk)
    response = client.get(reverse("eloket_forms_admin:export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    column = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert column == ["Referentie", genk_contest.reference]


def test_the_inbox_query_count_does_not_grow_with_the_rows(
    client, genk, genk_clerk, django_assert_max_num_queries
):
    def load() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        return len(queries)

    client.force_login(genk_clerk)
    submission_make(organisation=genk)
    few = load()
    for index in range(15):
        submission_make(organisation=genk, assignee=genk_clerk if index % 2 else None)
    with django_assert_max_num_queries(few):
        assert client.get(INBOX).status_code == 200


def test_without_a_query_the_inbox_shows_open_work_and_status_empty_shows_all(
    client, genk, genk_clerk, genk_contest
):
    closed = submission_make(organisation=genk, status=SubmissionStatus.CLOSED, reference="V-SHUT22")
    client.force_login(genk_clerk)
    assert references(client.get(INBOX)) == {genk_contest.reference}
    assert references(client.get(INBOX, {"status": ""})) == {genk_contest.reference, closed.reference}


def test_history_is_counted_up_to_a_cap_and_open_work_exactly(
    client, genk, genk_clerk, genk_contest, monkeypatch
):
    monkeypatch.setattr("forms.inbox.HISTORY_COUNT_CAP", 2)
    for n in range(3):
        submission_make(
            organisation=genk, purpose="question", status=SubmissionStatus.CLOSED, reference=f"V-CL{n}222"
        )
    submission_make(
        organisation=genk, purpose="question", status=SubmissionStatus.DECIDED, reference="V-DE2222"
    )
    for n in range(3):
        submission_make(organisation=genk, purpose="question", reference=f"V-OP{n}222")
    client.force_login(genk_clerk)

    response = client.get(INBOX)

    counts = {link["value"]: link["count"] for link in response.context["status_links"]}
    assert counts["closed"] == "2+" and counts["decided"] == 1
    assert counts["received"] == 4 and counts["open"] == 4
    assert "2+</span>" in response.content.decode()


def test_cached_counts_follow_every_change(client, genk, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    before = client.get(INBOX).context["status_links"]
    open_before = next(link["count"] for link in before if link["value"] == "open")
    submission_make(organisation=genk, reference="V-NEW222")
    after = client.get(INBOX).context["status_links"]
    assert next(link["count"] for link in after if link["value"] == "open") == open_before + 1
    genk_contest.status = SubmissionStatus.CLOSED
    genk_contest.save()
    closed = client.get(INBOX).context["status_links"]
    assert next(link["count"] for link in closed if link["value"] == "open") == open_before
