""" "I had paid by app" in the contest form of a parking retribution, and the clerk's side: the near
sessions side by side, and "Aanvaarden: retributie annuleren" deciding the contest in one step."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from eloket.constants import DossierKind, DossierStatus, OrganisationKind
from eloket.models.parking import ParkingSession, SessionNearMatch
from eloket.plates import plate_normalise
from forms.constants import ContestReason, Purpose, SubmissionStatus
from forms.models import Submission
from tests.eloket.sessions.conftest import area_make
from tests.factories import DossierFactory, OrganisationFactory
from tests.forms.citizen_helpers import form_page_make
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db

QUESTION = "Had u betaald via een app of sms?"


@pytest.fixture
def contest_page(genk_page, genk_city):
    return form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, title="Bezwaar")


@pytest.fixture
def logged_in(client, citizen):
    client.force_login(citizen[0])
    return client


@pytest.fixture
def parked(citizen, genk_city, municipalities):
    """Anna's retribution in zone Z2 of Genk, and her EasyPark session in the neighbouring zone Z3."""
    genk = municipalities["genk"]
    area = area_make(genk, genk_city, "Z2")
    beside = area_make(genk, genk_city, "Z3")
    area.neighbours.add(beside)
    dossier = DossierFactory(
        party=citizen[1], organisation=genk_city, municipality=genk, notified=True, zone_code="Z2"
    )
    start = dossier.occurred_at - dt.timedelta(minutes=30)
    session = ParkingSession.objects.create(
        provider=OrganisationFactory(name_nl="EasyPark", kind=OrganisationKind.PARKING_PROVIDER),
        provider_session_id="EP-77",
        municipality=genk,
        area=beside,
        area_code=beside.code,
        plate=dossier.plate,
        plate_normalised=plate_normalise(dossier.plate),
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        amount_paid_cents=340,
    )
    return dossier, session


def form_url(dossier, action="contest"):
    return reverse("eloket_forms:dossier_form", args=[dossier.reference, action])


def contest_post(client, dossier, **extra):
    token = re.search(
        r'name="idempotency_key" value="([^"]+)"', client.get(form_url(dossier)).content.decode()
    ).group(1)
    data = {
        "idempotency_key": token,
        "contest_reason": ContestReason.VALID_SESSION,
        "message": "Ik had betaald met de app.",
        **extra,
    }
    return client.post(form_url(dossier), data)


def admin_url(name, submission, *args):
    return reverse(f"eloket_forms_admin:{name}", args=[submission.reference, *args])


# -- the citizen's form -------------------------------------------------------------------------------


def test_the_contest_form_of_a_parking_retribution_asks_whether_the_citizen_paid_by_app(
    logged_in, parked, contest_page
):
    content = logged_in.get(form_url(parked[0])).content.decode()
    assert QUESTION in content
    assert "Ja, ik had betaald via een app of sms" in content
    assert 'name="paid_by_app"' in content and 'name="paid_by_app_provider"' in content


def test_a_defence_of_a_gas_fine_does_not_ask_it(logged_in, citizen, genk_page, genk_city, municipalities):
    form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.DEFENCE, title="Verweer")
    fine = DossierFactory(
        party=citizen[1], organisation=genk_city, municipality=municipalities["genk"], kind=DossierKind.GAS4,
        notified=True,
    )  # fmt: skip
    response = logged_in.get(form_url(fine, "defend"))
    assert response.status_code == 200
    assert 'name="paid_by_app"' not in response.content.decode()


def test_saying_yes_stores_the_answer_and_looks_up_the_near_session(
    logged_in, parked, contest_page, django_capture_on_commit_callbacks
):
    dossier, session = parked
    with django_capture_on_commit_callbacks(execute=True):
        response = contest_post(logged_in, dossier, paid_by_app="yes", paid_by_app_provider=" EasyPark ")
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.form_data["paid_by_app"] is True
    assert submission.form_data["paid_by_app_provider"] == "EasyPark"
    near = SessionNearMatch.objects.get()
    assert (near.dossier, near.session) == (dossier, session)


def test_saying_no_stores_no_and_looks_for_nothing(
    logged_in, parked, contest_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contest_post(logged_in, parked[0], paid_by_app="no", paid_by_app_provider="EasyPark")
    submission = Submission.objects.get()
    assert submission.form_data["paid_by_app"] is False
    assert "paid_by_app_provider" not in submission.form_data
    assert not SessionNearMatch.objects.exists()


def test_not_answering_stores_nothing_and_looks_for_nothing(
    logged_in, parked, contest_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert contest_post(logged_in, parked[0], paid_by_app_provider="EasyPark").status_code == 302
    form_data = Submission.objects.get().form_data
    assert "paid_by_app" not in form_data and "paid_by_app_provider" not in form_data
    assert not SessionNearMatch.objects.exists()


def test_an_editor_cannot_take_the_key_of_the_paid_by_app_question():
    from forms.builder import RESERVED_KEYS

    assert {"paid_by_app", "paid_by_app_provider"} <= RESERVED_KEYS


# -- the clerk's screen -------------------------------------------------------------------------------


@pytest.fixture
def sent(logged_in, parked, contest_page, django_capture_on_commit_callbacks):
    """Anna's contest saying she paid by app; the near session found."""
    with django_capture_on_commit_callbacks(execute=True):
        contest_post(logged_in, parked[0], paid_by_app="yes", paid_by_app_provider="EasyPark")
    logged_in.logout()
    return Submission.objects.get()


@pytest.fixture
def clerk(genk_city):
    return clerk_make(organisations=[genk_city], username="greet", first_name="Greet", last_name="Genk")


def test_the_clerk_sees_the_retribution_and_the_session_side_by_side(client, sent, clerk):
    client.force_login(clerk)
    html = client.get(admin_url("detail", sent)).content.decode()
    box = html[html.index('data-testid="paid-by-app"') :]
    assert "Mogelijk betaald via app of sms" in box
    assert "De burger zegt betaald te hebben via een app of sms (EasyPark)" in box
    assert "Sessie EP-77 van EasyPark" in box
    assert "Z3 (Zone Z3)" in box and "zone Z2" in box
    assert "Verschilt: aangrenzende zone van Z2" in box  # in words, not colour only
    assert "Dekt het tijdstip van de vaststelling" in box and "€ 3,40" in box.replace("\xa0", " ")
    near = SessionNearMatch.objects.get()
    assert admin_url("near_match_accept", sent, near.pk) in box
    assert "Aanvaarden: retributie annuleren" in box
    # The citizen's answer is among what they sent.
    assert re.search(r"<dt>Betaald via een app of sms</dt><dd>ja</dd>", html)


def test_a_confused_plate_is_spelled_out_for_the_clerk(client, sent, clerk, parked):
    dossier, session = parked
    confused = ParkingSession.objects.create(
        provider=session.provider, provider_session_id="EP-78", municipality=session.municipality,
        area=dossier_area(dossier), area_code="Z2", plate="1-A8C-123", plate_normalised="1A8C123",
        start_at=session.start_at, end_at=session.end_at,
    )  # fmt: skip
    from eloket.sessions.near import near_matches_find

    assert confused in [m.session for m in near_matches_find(dossier=dossier)]
    client.force_login(clerk)
    html = client.get(admin_url("detail", sent)).content.decode()
    assert "1A<mark>8</mark>C123" in html
    assert "Verschilt: 8 in plaats van B (teken 3)" in html


def dossier_area(dossier):
    from eloket.models.parking import ParkingArea

    return ParkingArea.objects.get(municipality=dossier.municipality, code=dossier.zone_code)


def test_without_a_near_session_the_box_says_none_was_found(client, sent, clerk):
    SessionNearMatch.objects.all().delete()
    client.force_login(clerk)
    html = client.get(admin_url("detail", sent)).content.decode()
    assert "Mogelijk betaald via app of sms" in html
    assert "Er werd geen parkeersessie gevonden die overeenkomt" in html
    assert "Aanvaarden: retributie annuleren" not in html


def test_looking_again_finds_a_session_reported_after_the_contest(client, sent, clerk, parked):
    SessionNearMatch.objects.all().delete()  # as if the provider reported it only now
    client.force_login(clerk)
    assert "Opnieuw zoeken" in client.get(admin_url("detail", sent)).content.decode()
    response = client.post(admin_url("near_matches_search", sent))
    assert response.status_code == 302
    assert SessionNearMatch.objects.get().session == parked[1]
    html = client.get(admin_url("detail", sent)).content.decode()
    assert "Sessie EP-77 van EasyPark" in html
    stranger = clerk_make(organisations=[OrganisationFactory(name_nl="Stad Hasselt")])
    SessionNearMatch.objects.all().delete()
    client.force_login(stranger)
    assert client.post(admin_url("near_matches_search", sent), follow=True).status_code == 404
    assert not SessionNearMatch.objects.exists()


def test_a_contest_that_does_not_say_so_and_has_no_near_session_shows_no_box(
    client, logged_in, parked, contest_page, clerk
):
    contest_post(logged_in, parked[0], paid_by_app="no")
    client.force_login(clerk)
    html = client.get(admin_url("detail", Submission.objects.get())).content.decode()
    assert "Mogelijk betaald via app of sms" not in html


def test_accepting_cancels_the_retribution_and_decides_the_contest_in_one_step(
    client, sent, clerk, django_capture_on_commit_callbacks
):
    near = SessionNearMatch.objects.get()
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url("near_match_accept", sent, near.pk))
    assert response.status_code == 302 and response["Location"] == admin_url("detail", sent)
    sent.refresh_from_db()
    near.refresh_from_db()
    assert (sent.status, sent.decision) == (SubmissionStatus.DECIDED, "upheld")
    assert sent.dossier.status == DossierStatus.CANCELLED
    assert near.accepted_by == clerk and near.accepted_at is not None
    decision = mail.outbox[-1]
    assert sent.reference in decision.subject
    assert "EasyPark" in decision.body and "EP-77" in decision.body
    html = client.get(admin_url("detail", sent)).content.decode()
    assert "Aanvaard op" in html and "door Greet Genk" in html
    assert "Aanvaarden: retributie annuleren" not in html


def test_another_organisations_clerk_gets_404_and_nothing_changes(client, sent):
    near = SessionNearMatch.objects.get()
    stranger = clerk_make(organisations=[OrganisationFactory(name_nl="Stad Hasselt")])
    client.force_login(stranger)
    # An admin 404 is redirected by LocaleMiddleware to /nl/beheer/..., itself a 404: followed.
    assert client.post(admin_url("near_match_accept", sent, near.pk), follow=True).status_code == 404
    assert client.get(admin_url("detail", sent), follow=True).status_code == 404
    sent.refresh_from_db()
    near.refresh_from_db()
    assert sent.status == SubmissionStatus.RECEIVED and near.accepted_at is None


def test_a_citizen_cannot_accept(logged_in, sent):
    near = SessionNearMatch.objects.get()
    logged_in.force_login(sent.submitted_by)
    response = logged_in.post(admin_url("near_match_accept", sent, near.pk))
    assert response.status_code in {302, 403, 404}
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.RECEIVED and sent.dossier.status == DossierStatus.CONTESTED


def test_accepting_is_a_post_and_only_for_a_near_match_of_the_submissions_dossier(
    client, sent, clerk, parked, citizen, genk_city, municipalities
):
    near = SessionNearMatch.objects.get()
    client.force_login(clerk)
    assert client.get(admin_url("near_match_accept", sent, near.pk)).status_code == 405
    dossier, session = parked
    other_dossier = DossierFactory(
        party=citizen[1], organisation=genk_city, municipality=municipalities["genk"], notified=True,
        zone_code="Z2", occurred_at=dossier.occurred_at,
    )  # fmt: skip
    from eloket.sessions.near import near_matches_find

    [elsewhere] = near_matches_find(dossier=other_dossier)
    assert elsewhere.session == session and elsewhere.pk != near.pk
    response = client.post(admin_url("near_match_accept", sent, elsewhere.pk), follow=True)
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    sent.refresh_from_db()
    assert elsewhere.accepted_at is None and sent.status == SubmissionStatus.RECEIVED
