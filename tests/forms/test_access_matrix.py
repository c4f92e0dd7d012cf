"""Safety matrix of the clerk side: a clerk of Genk reaches nothing of Hasselt through any URL; a staff
login without a membership sees nothing; a citizen does not reach the admin at all."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from eloket.models import StaffMembership
from forms.constants import SubmissionStatus
from forms.models import ResponseTerm, RoutingRule, StandardReply, Team
from tests.factories import UserFactory, person_party, staff_login
from tests.forms.clerk_fixtures import *  # noqa: F403
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db


def object_urls(submission) -> list[tuple[str, str, dict]]:
    """Every URL about one submission: (method, url, data)."""
    ref = submission.reference
    attachment = submission.attachments.get()
    evidence = submission.dossier.evidence.get()
    name = "eloket_forms_admin:"
    return [
        ("get", reverse(name + "detail", args=[ref]), {}),
        ("get", reverse(name + "attachment", args=[ref, attachment.pk]), {}),
        ("get", reverse(name + "evidence", args=[ref, evidence.pk]), {}),
        ("post", reverse(name + "take", args=[ref]), {}),
        ("post", reverse(name + "assign", args=[ref]), {"assignee": ""}),
        ("post", reverse(name + "message", args=[ref]), {"kind": "reply", "body": "x", "preview": "1"}),
        ("post", reverse(name + "message", args=[ref]), {"kind": "reply", "body": "x", "send": "1"}),
        ("post", reverse(name + "decide", args=[ref]), {"decision": "upheld", "motivation": "x"}),
        ("post", reverse(name + "close", args=[ref]), {"note": "x"}),
    ]


def fetch(client, method, url, data):
    # An admin 404 is redirected by LocaleMiddleware to /nl/beheer/..., itself a 404: follow it.
    return getattr(client, method)(url, data, follow=True)


def test_a_clerk_of_one_organisation_reaches_nothing_of_another(
    client, genk_clerk, genk_contest, hasselt_contest
):
    client.force_login(genk_clerk)
    for method, url, data in object_urls(hasselt_contest):
        response = fetch(client, method, url, data)
        assert response.status_code == 404, (method, url)
        assert hasselt_contest.contact_email not in response.content.decode()
    hasselt_contest.refresh_from_db()
    assert hasselt_contest.status == SubmissionStatus.RECEIVED and hasselt_contest.assignee is None
    assert not hasselt_contest.messages.exists()
    # ... and their own still works, so the 404s above are the scoping, not a broken URL.
    assert fetch(client, *object_urls(genk_contest)[0]).status_code == 200


def test_a_clerk_cannot_mix_their_reference_with_anothers_file_ids(
    client, genk_clerk, genk_contest, hasselt_contest
):
    client.force_login(genk_clerk)
    other_attachment = hasselt_contest.attachments.get()
    other_evidence = hasselt_contest.dossier.evidence.get()
    ref = genk_contest.reference
    assert (
        fetch(
            client, "get", reverse("eloket_forms_admin:attachment", args=[ref, other_attachment.pk]), {}
        ).status_code
        == 404
    )
    assert (
        fetch(
            client, "get", reverse("eloket_forms_admin:evidence", args=[ref, other_evidence.pk]), {}
        ).status_code
        == 404
    )


def test_list_export_and_bulk_assign_leave_out_another_organisation(
    client, genk_clerk, genk_contest, hasselt_contest
):
    client.force_login(genk_clerk)
    for url, params in [
        (reverse("eloket_forms_admin:inbox"), {}),
        (reverse("eloket_forms_admin:inbox"), {"q": hasselt_contest.reference}),
        (reverse("eloket_forms_admin:inbox"), {"q": hasselt_contest.dossier.plate}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200
        # Not as a row or a link (a search echoes the text typed in its own field).
        assert f"/inzendingen/{hasselt_contest.reference}/".encode() not in response.content
        if "page" in (response.context or {}):
            assert list(response.context["page"].object_list) == [genk_contest] or params
            assert hasselt_contest not in response.context["page"].object_list
    xlsx = client.get(reverse("eloket_forms_admin:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)][1:] == [genk_contest.reference]
    csv_response = client.get(reverse("eloket_forms_admin:export", args=["csv"]))
    assert hasselt_contest.reference.encode() not in b"".join(csv_response.streaming_content)
    client.post(
        reverse("eloket_forms_admin:bulk_assign"),
        {"submissions": [hasselt_contest.reference], "assignee": genk_clerk.pk},
    )
    hasselt_contest.refresh_from_db()
    assert hasselt_contest.assignee is None


def test_earlier_submissions_of_the_same_party_stop_at_the_organisation(
    client, genk_clerk, genk_contest, hasselt
):
    from tests.forms.triage_helpers import submission_make

    elsewhere = submission_make(organisation=hasselt, party=genk_contest.party, reference="V-ELSE22")
    client.force_login(genk_clerk)
    response = client.get(reverse("eloket_forms_admin:detail", args=[genk_contest.reference]))
    assert elsewhere.reference not in response.content.decode()


def test_a_staff_login_without_a_membership_sees_nothing(client, genk_contest):
    nobody = clerk_make(organisations=[])
    client.force_login(nobody)
    inbox = client.get(reverse("eloket_forms_admin:inbox"))
    assert inbox.status_code == 200 and genk_contest.reference not in inbox.content.decode()
    for method, url, data in object_urls(genk_contest):
        assert fetch(client, method, url, data).status_code == 404, url


def test_an_admin_user_without_the_clerk_permissions_is_refused(client, genk, genk_contest):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    StaffMembership.objects.create(user=editor, organisation=genk)
    staff_login(client, editor)
    # Wagtail answers a refused admin view with a redirect to the dashboard and a message.
    assert client.get(reverse("eloket_forms_admin:inbox")).status_code in (302, 403)
    assert "Inzendingen" not in client.get("/beheer/").content.decode()
    detail = client.get(reverse("eloket_forms_admin:detail", args=[genk_contest.reference]))
    assert detail.status_code in (302, 403)
    assert genk_contest.contact_name.encode() not in detail.content


def test_a_citizen_gets_no_admin_access(client, genk_contest):
    citizen = UserFactory()
    person_party(user=citizen)
    client.force_login(citizen)
    for method, url, data in [("get", reverse("eloket_forms_admin:inbox"), {}), *object_urls(genk_contest)]:
        response = getattr(client, method)(url, data)
        assert response.status_code in (302, 403), url
        assert genk_contest.reference.encode() not in response.content
    genk_contest.refresh_from_db()
    assert genk_contest.assignee is None


def test_a_clerk_does_not_see_the_operator_screens(client, genk_clerk):
    client.force_login(genk_clerk)
    home = client.get("/beheer/").content.decode()
    assert "Organisaties" not in home and "Reglementen" not in home
    assert "Inzendingen" in home and "Verdeelregels" in home
    for url in ("/beheer/eloket/organisation/", "/beheer/eloket/municipality/", "/beheer/eloket/regulation/"):
        assert client.get(url).status_code in (302, 403), url


def settings_rows(genk, hasselt):
    team_genk, team_hasselt = (
        Team.objects.create(organisation=genk, name="G"),
        Team.objects.create(organisation=hasselt, name="H"),
    )
    return {
        "routing_rules": RoutingRule.objects.create(organisation=hasselt, team=team_hasselt),
        "response_terms": ResponseTerm.objects.create(
            organisation=hasselt, purpose="contest", working_days=3
        ),
        "standard_replies": StandardReply.objects.create(
            organisation=hasselt, title="Hasselt-tekst", body="x"
        ),
        "teams": team_hasselt,
    }, team_genk


def test_triage_settings_of_another_organisation_are_out_of_reach(client, genk, hasselt, genk_clerk):
    others, _team = settings_rows(genk, hasselt)
    client.force_login(genk_clerk)
    for name, row in others.items():
        listing = client.get(reverse(f"{name}:index"))
        assert listing.status_code == 200
        assert f"/edit/{row.pk}/" not in listing.content.decode(), name
        for view in ("edit", "delete", "history", "usage"):
            response = fetch(client, "get", reverse(f"{name}:{view}", args=[row.pk]), {})
            assert response.status_code == 404, (name, view)
        response = fetch(client, "post", reverse(f"{name}:delete", args=[row.pk]), {})
        assert response.status_code == 404
        assert type(row).objects.filter(pk=row.pk).exists()


def test_a_clerk_cannot_create_settings_for_another_organisation(
    client, genk, hasselt, genk_clerk, hasselt_clerk
):
    _others, team_genk = settings_rows(genk, hasselt)
    client.force_login(genk_clerk)
    response = client.post(
        reverse("response_terms:add"), {"organisation": hasselt.pk, "purpose": "question", "working_days": 2}
    )
    assert response.status_code == 200  # the form again, with an error
    assert not ResponseTerm.objects.filter(organisation=hasselt, purpose="question").exists()
    response = client.post(
        reverse("routing_rules:add"), {"organisation": genk.pk, "priority": 1, "assignee": hasselt_clerk.pk}
    )
    assert not RoutingRule.objects.filter(assignee=hasselt_clerk).exists()
    created = client.post(
        reverse("routing_rules:add"), {"organisation": genk.pk, "priority": 1, "team": team_genk.pk}
    )
    assert created.status_code == 302
    assert RoutingRule.objects.filter(organisation=genk, team=team_genk).exists()


def test_wagtails_own_form_submission_screens_show_nothing_to_editors(client, genk_clerk):
    from wagtail.models import Page

    from forms.wagtail_hooks import form_submissions_only_for_clerks

    editor = UserFactory(is_staff=True)
    pages = Page.objects.all()
    assert not form_submissions_only_for_clerks(editor, pages).exists()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert form_submissions_only_for_clerks(superuser, pages).count() == pages.count()


def test_the_site_history_shows_a_clerk_only_their_organisations_actions(
    client, genk_clerk, hasselt_clerk, genk_contest, hasselt_contest
):
    from forms import triage

    triage.submission_assign(submission=genk_contest, assignee=genk_clerk, actor=genk_clerk)
    triage.submission_assign(submission=hasselt_contest, assignee=hasselt_clerk, actor=hasselt_clerk)
    client.force_login(genk_clerk)
    html = client.get("/beheer/reports/site-history/").content.decode()
    assert genk_contest.reference in html
    assert hasselt_contest.reference not in html
