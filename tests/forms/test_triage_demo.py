import pytest
from django.contrib.auth import authenticate
from wagtail.models import Page, Site

from eloket import demo
from eloket.constants import DossierStatus
from eloket.models import Municipality, Organisation, StaffMembership, User
from forms.constants import SubmissionStatus
from forms.demo_triage import DEMO_PASSWORD, SUBMISSIONS, seed_triage
from forms.models import FormPage, RoutingRule, StandardReply, Submission, SubmissionMessage
from home.services import content_locales_ensure
from tests.home.factories import CityPageFactory, HomePageFactory

pytestmark = pytest.mark.django_db


def form_pages() -> None:
    """Genk's form pages, as the forms demo makes them: a contest, a defence and a question form."""
    locales = {locale.language_code: locale for locale in content_locales_ensure()}
    home = HomePageFactory(parent=Page.get_first_root_node(), locale=locales["nl"])
    Site.objects.filter(is_default_site=True).update(root_page=home)
    city = CityPageFactory(parent=home, municipality=Municipality.objects.get(slug="genk"))
    organisations = {org.slug: org for org in Organisation.objects.filter(slug__in=["opc-genk", "stad-genk"])}
    for slug, purpose, kinds in [
        ("opc-genk", "contest", ["parking_retribution"]),
        ("stad-genk", "defence", ["gas4"]),
        ("stad-genk", "question", []),
    ]:
        city.add_child(
            instance=FormPage(
                title=f"{purpose} {slug}", slug=f"{purpose}-{slug}", organisation=organisations[slug],
                purpose=purpose, dossier_kinds=kinds,
            )
        )  # fmt: skip


@pytest.fixture
def seeded(settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    demo.seed()
    form_pages()
    with django_capture_on_commit_callbacks(execute=True):
        result = seed_triage()
    return result


def test_the_triage_seed_makes_submissions_in_several_statuses(seeded):
    assert seeded.submissions_created == len(SUBMISSIONS)
    assert not seeded.submissions_skipped
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert {
        SubmissionStatus.RECEIVED,
        SubmissionStatus.IN_PROGRESS,
        SubmissionStatus.INFO_REQUESTED,
        SubmissionStatus.DECIDED,
        SubmissionStatus.CLOSED,
    } <= statuses
    upheld = Submission.objects.get(idempotency_key="demo-triage-gas-upheld")
    assert upheld.dossier.status == DossierStatus.CANCELLED
    assert Submission.objects.get(idempotency_key="demo-triage-ret-late").filed_late
    routed = Submission.objects.get(idempotency_key="demo-triage-ret-open")
    assert routed.team.name == "Bezwaren parkeren" and routed.clerk_due is not None
    assert SubmissionMessage.objects.filter(requests_information=True).exists()


def test_the_demo_clerk_logs_in_and_works_for_genk_only(seeded):
    clerk = authenticate(username="behandelaar-genk", password=DEMO_PASSWORD)
    assert clerk is not None and clerk.is_staff
    assert clerk.has_perm("eloket_forms.change_submission")
    assert set(StaffMembership.objects.filter(user=clerk).values_list("organisation__slug", flat=True)) == {
        "opc-genk",
        "stad-genk",
        "gas-genk",
    }
    assert StandardReply.objects.filter(organisation__slug="opc-genk", language="fr").exists()
    assert RoutingRule.objects.filter(organisation__slug="stad-genk", assignee=clerk).exists()


def test_the_triage_seed_can_run_twice(seeded):
    counts = (Submission.objects.count(), User.objects.count(), StandardReply.objects.count())
    again = seed_triage()
    assert again.submissions_created == 0
    assert counts == (Submission.objects.count(), User.objects.count(), StandardReply.objects.count())


def test_without_demo_mode_the_clerks_have_no_usable_password(settings):
    settings.DEMO_MODE = False
    demo.seed()
    result = seed_triage()
    assert result.submissions_skipped  # no form pages yet: nothing filed
    assert not User.objects.get(username="behandelaar-genk").has_usable_password()
