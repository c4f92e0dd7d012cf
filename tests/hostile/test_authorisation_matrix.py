"""The authorisation matrix: every URL pattern of the site (walked from the resolver), its parameters
filled with objects of party A and organisation A, requested (GET and POST) as each role that must
not see A's data: anonymous, citizen B, the representative of another company, a guest holding
another dossier, a Wagtail editor of another city, a clerk of organisation B and an API key of
organisation B.

The rule for every (URL, role): never a 5xx, never A's private data in the answer (A's name, e-mail
address, plate, references, texts: ``MARKERS``), and A's state unchanged at the end. Each URL must be
classified in ``CLASSES`` (the expected answers per kind of URL); a new URL that matches no rule fails
the test, so whoever adds it decides what it is.
(tests/forms/test_access_matrix.py goes deeper into the clerk side; this one is broad.)
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from eloket import services
from eloket.models import ApiKey, Party, StaffMembership
from forms.constants import Purpose
from forms.models import StandardReply, Submission, Team
from tests.csp_check import blocked_inline_scripts
from tests.eloket.api.conftest import make_key
from tests.factories import (
    DossierFactory,
    OrganisationFactory,
    RegulationFactory,
    UserFactory,
    enterprise_party,
    person_party,
    staff_login,
)
from tests.forms.citizen_helpers import form_page_make
from tests.forms.clerk_fixtures import PNG
from tests.forms.triage_helpers import clerk_make, submission_make
from tests.hostile.urlmap import all_urls

pytestmark = pytest.mark.django_db

# (rule name, regex on "name route", what any of the roles may get). First match wins.
DENIED = {302, 400, 401, 403, 404, 405}
ANY = {200, 204, 301, 302, 400, 401, 403, 404, 405, 410, 429}
CLASSES: list[tuple[str, str, set[int]]] = [
    ("debug media", r"^ \^media/", ANY),
    ("Wagtail's own error test page (raises on purpose)", r"^wagtailadmin_error_test ", set()),
    ("stripe webhook (signed)", r"^stripe_webhook ", {400, 405}),
    ("api schema (public document)", r"^api:schema ", {200, 405}),
    ("api (bearer key of B)", r"^api:", {200, 400, 401, 403, 404, 405, 415}),
    (
        "citizen's own lists",
        r"^(eloket:(overview|ptr_pas_embed|acting_as|mail_preferences|contact_address|data_export"
        r"|parking_sessions)"
        r"|eloket_forms:submission_list) ",
        ANY,
    ),
    ("citizen object of A", r"^(eloket:(dossier_detail|evidence_file)|eloket_forms:|payments:)", DENIED),
    ("contact confirmation token", r"^eloket:contact_address_confirm ", DENIED),
    (
        "login, logout, session, guest",
        r"^eloket:(login|demo_login|logout|logged_out|session_expired|session_status"
        r"|guest_access|guest_close) ",
        ANY,
    ),
    ("own account (allauth, MFA)", r"^(account_|mfa_|socialaccount_|openid_connect_)|^ account/", ANY),
    ("language switch", r"^set_language ", ANY),
    (
        "public pages and documents",
        r"^(wagtail_serve|wagtailcore_|wagtaildocs_serve|wagtaildocs_authenticate)",
        ANY,
    ),
    ("demo city page framing the PTR-pas (demo mode only)", r"^eloket:demo_city_site ", ANY),
    ("staff login", r"^eloket_staff_login ", ANY),
    ("admin (Wagtail and e-loket screens)", r"^\S* beheer/", ANY),
]
# A's private data: none of it may appear in what another role gets.
MARKERS = {
    "party name": "Geheimaerts Anna",
    "e-mail": "geheim.anna@example.be",
    "plate": "9SEC999",
    "message": "Geheim bezwaar van Anna",
    "caption": "Geheim bewijs van Anna",
    "standard reply": "Geheim standaardantwoord A",
    "counterparty": "GEHEIME BETALER A",
}


def _parking_session_of(party, organisation, municipality) -> None:
    """A session paid by app with A's plate, ten days before A's dossier (it covers nothing)."""
    import datetime as dt

    from django.utils import timezone

    from eloket.constants import OrganisationKind
    from eloket.models.parking import ParkingArea, ParkingSession

    area = ParkingArea.objects.create(
        municipality=municipality, organisation=organisation, code="GEHEIM-A", name_nl="Zone A"
    )
    start = timezone.now() - dt.timedelta(days=12)
    ParkingSession.objects.create(
        provider=OrganisationFactory(kind=OrganisationKind.PARKING_PROVIDER),
        provider_session_id="S-GEHEIM-A",
        municipality=municipality,
        area=area,
        area_code=area.code,
        plate=MARKERS["plate"],
        plate_normalised=MARKERS["plate"],
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        party=party,
    )


def classify(url) -> tuple[str, set[int]] | None:
    key = f"{url.name} {url.route}"
    for name, pattern, allowed in CLASSES:
        if re.search(pattern, key):
            return name, allowed
    return None


@pytest.fixture
def world(genk_page, genk_city, municipalities, django_capture_on_commit_callbacks):
    """Party A and organisation A with something behind every kind of URL; B's roles."""
    from eloket.models import Payment
    from eloket.payments.coda_build import Credit, coda_statement
    from eloket.payments.coda_import import coda_import
    from home.services import municipality_editors_group_ensure
    from tests.home.factories import CityPageFactory

    org_a = genk_city
    RegulationFactory(organisation=org_a, code="RET-A")
    user_a = UserFactory(email="geheim.anna@example.be")
    party_a = person_party(name=MARKERS["party name"], user=user_a)
    Party.objects.filter(pk=party_a.pk).update(email=MARKERS["e-mail"], email_verified=True)
    dossier_a = DossierFactory(
        party=party_a,
        organisation=org_a,
        municipality=municipalities["genk"],
        plate="9-SEC-999",
        notified=True,
    )
    _parking_session_of(party_a, org_a, municipalities["genk"])  # on A's "Parkeersessies"
    evidence_a = services.evidence_add(
        dossier=dossier_a, content=PNG, filename="f.png", content_type="image/png", caption=MARKERS["caption"]
    )
    page_a = form_page_make(parent=genk_page, organisation=org_a, purpose=Purpose.CONTEST)
    submission_a = submission_make(
        organisation=org_a,
        dossier=dossier_a,
        page=page_a,
        purpose="contest",
        message=MARKERS["message"],
        contact_name=MARKERS["party name"],
        contact_email=MARKERS["e-mail"],
        reference="V-GEHEIMA",
    )
    from django.core.files.base import ContentFile

    from forms.models import SubmissionAttachment

    attachment_a = SubmissionAttachment(
        submission=submission_a, original_name="geheim.png", content_type="image/png", size=len(PNG)
    )
    attachment_a.file.save("geheim.png", ContentFile(PNG), save=False)
    attachment_a.save()
    payment_a = Payment.objects.create(
        reference="PGEHEIMA",
        channel="online",
        status="open",
        party=party_a,
        organisation=org_a,
        amount_cents=2000,
    )
    import datetime as dt

    with django_capture_on_commit_callbacks(execute=True):
        coda_import(
            organisation=org_a,
            content=coda_statement(
                iban=org_a.iban,
                credits=[Credit(123, text="onbekend", counterparty_name=MARKERS["counterparty"])],
                day=dt.date(2026, 11, 20),
            ),
            file_name="a.cod",
        )
    from eloket.models import BankMovement

    movement_a = BankMovement.objects.get()
    team_a = Team.objects.create(organisation=org_a, name="Team A")
    reply_a = StandardReply.objects.create(organisation=org_a, title="A", body=MARKERS["standard reply"])
    make_key(org_a)
    key_a = ApiKey.objects.get(organisation=org_a)

    # B's side.
    org_b = OrganisationFactory(name_nl="Stad Vilvoorde", municipalities=[municipalities["vilvoorde"]])
    citizen_b = UserFactory()
    party_b = person_party(name="Bart B", user=citizen_b)
    dossier_b = DossierFactory(
        party=party_b, organisation=org_b, municipality=municipalities["vilvoorde"], notified=True
    )
    company_rep = UserFactory()
    company = enterprise_party(name="Ander Bedrijf NV", representative=company_rep)
    DossierFactory(party=company, organisation=org_b, municipality=municipalities["vilvoorde"], notified=True)
    CityPageFactory(parent=genk_page.get_parent(), municipality=municipalities["vilvoorde"])
    editor_b = UserFactory(is_staff=True)
    editor_b.groups.add(municipality_editors_group_ensure(municipality=municipalities["vilvoorde"]))
    StaffMembership.objects.create(user=editor_b, organisation=org_b)
    clerk_b = clerk_make(organisations=[org_b])

    logins = {
        "citizen B": citizen_b,
        "company representative": company_rep,
        "editor of city B": editor_b,
        "clerk of organisation B": clerk_b,
    }
    roles: dict[str, Client] = {"anonymous": Client()}
    roles["citizen B"] = Client()
    roles["citizen B"].force_login(citizen_b)
    roles["company representative"] = Client()
    roles["company representative"].force_login(company_rep)
    session = roles["company representative"].session
    session["eloket_acting_party"] = company.pk
    session.save()
    guest = Client()
    session = guest.session
    from eloket.auth.middleware import GUEST_SESSION_KEY

    session[GUEST_SESSION_KEY] = {
        "dossier": dossier_b.pk,
        "party": party_b.pk,
        "reference": dossier_b.reference,
    }
    session.save()
    roles["guest of another dossier"] = guest
    roles["editor of city B"] = Client()
    staff_login(roles["editor of city B"], editor_b)
    roles["clerk of organisation B"] = Client()
    staff_login(roles["clerk of organisation B"], clerk_b)
    roles["API key of organisation B"] = Client(HTTP_AUTHORIZATION=f"Bearer {make_key(org_b)}")

    values = {
        "dossier": {"reference": dossier_a.reference, "evidence_id": evidence_a.pk},
        "submission": {
            "reference": submission_a.reference,
            "attachment_id": attachment_a.pk,
            "evidence_id": evidence_a.pk,
        },
        "payment": {"reference": payment_a.reference},
        "api": {"external_id": dossier_a.external_id},
        "pk": {
            "eloket_payments:": payment_a.pk,
            "eloket_bank_movements:": movement_a.pk,
            "eloket_payments_movement_resolve": movement_a.pk,
            "eloket_api_keys:": key_a.pk,
            "organisations:": org_a.pk,
            "municipalities:": municipalities["genk"].pk,
            "regulations:": org_a.regulations.first().pk,
            "teams:": team_a.pk,
            "standard_replies:": reply_a.pk,
            "wagtailadmin_pages:": page_a.pk,
            "wagtailforms:": page_a.pk,
            "wagtailadmin_explore": page_a.pk,
            "wagtail_localize:": page_a.pk,
            "wagtailusers_users:": user_a.pk,
        },
    }

    def state() -> tuple:
        submission_a.refresh_from_db()
        dossier_a.refresh_from_db()
        movement_a.refresh_from_db()
        party = Party.objects.get(pk=party_a.pk)
        page_a.refresh_from_db()
        return (
            dossier_a.status,
            dossier_a.amount_paid_cents,
            dossier_a.evidence.count(),
            submission_a.status,
            submission_a.assignee_id,
            submission_a.messages.count(),
            submission_a.attachments.count(),
            movement_a.status,
            party.email,
            party.mail_frequency,
            page_a.title,
            page_a.live,
            Submission.objects.filter(organisation=org_a).count(),
            StandardReply.objects.filter(organisation=org_a).count(),
            ApiKey.objects.filter(organisation=org_a, revoked_at__isnull=True).count(),
            org_a.__class__.objects.get(pk=org_a.pk).iban,
        )

    def relogin(role: str, client: Client) -> bool:
        """Log ``role`` in again when a request ended its session (a logout URL); True if it did."""
        user = logins.get(role)
        if user is None or "_auth_user_id" in client.session:
            return False
        staff_login(client, user) if user.is_staff else client.force_login(user)
        if role == "company representative":
            session = client.session
            session["eloket_acting_party"] = company.pk
            session.save()
        return True

    return roles, values, state, relogin


def url_values(url, values) -> dict:
    name = url.name
    found: dict = {}
    if name.startswith("eloket_forms") or name.startswith("eloket_forms_admin:"):
        found.update(values["submission"])
    elif name.startswith("payments:"):
        found.update(values["payment"])
    elif name.startswith("api:"):
        found.update(values["api"])
    else:
        found.update(values["dossier"])
    for prefix, pk in values["pk"].items():
        if name.startswith(prefix):
            found.update({param: pk for param in re.findall(r"<(?:int:)?(\w*id|pk)>", url.route)})
            break
    found.setdefault("action", "contest")
    return found


SKIP_POST = re.compile(r"logout|afmelden|guest_close|set_language|acting_as")


def _methods(url) -> list[str]:
    key = f"{url.name} {url.route}"
    if SKIP_POST.search(key) or (url.route.startswith("beheer/") and "<" not in url.route):
        # A logout or switch, or an admin URL about no object of A (its POST is B's own add form).
        return ["get"]
    return ["get", "post"]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace").lower()
    return response.content.decode(errors="replace").lower()


def _request(client, method: str, url, path: str, allowed: set[int], tally) -> list[str]:
    """One request of one role; the problems it shows (a 5xx, a status not allowed, A's data)."""
    where = f"{method.upper()} {path} ({url.name})"
    try:
        response = getattr(client, method)(path)
    except Exception as error:  # reported with the URL, then the test fails
        # Wagtail's choosers and external-link form once raised here; eloket.admin_edge answers them.
        return [f"{where}: {type(error).__name__}: {error}"]
    problems = []
    status = response.status_code
    if status >= 500 or status not in allowed:
        problems.append(f"{where}: {status}")
    if path.startswith("/beheer/") and status == 200 and blocked_inline_scripts(response):
        problems.append(f"{where}: an inline script without the response's CSP nonce")
    body, requested = _body(response), path.lower()
    for label, marker in MARKERS.items():
        if marker.lower() in body and marker.lower() not in requested:
            problems.append(f"{where}: shows A's {label}")
    return problems


def test_no_role_reaches_the_data_of_party_a_or_organisation_a_through_any_url(world, tally):
    roles, values, state, relogin = world
    before = state()
    unclassified, problems, ended_sessions = [], [], []
    urls = all_urls()
    for url in urls:
        kind = classify(url)
        if kind is None:
            unclassified.append(f"{url.name} {url.route}")
            continue
        _kind_name, allowed = kind
        if not allowed:
            continue  # not requested (see its rule)
        path = "/nl/x1/" if url.name == "wagtail_serve" else url.fill(url_values(url, values))
        for role, client in roles.items():
            for method in _methods(url):
                tally.attempt("authz: url x role x method")
                problems.extend(
                    f"{role} {problem}" for problem in _request(client, method, url, path, allowed, tally)
                )
                if relogin(role, client):
                    ended_sessions.append(f"{role} {method.upper()} {url.name}")
    for problem in problems:
        tally.finding("authz: url x role x method", problem)
    tally.attempt("authz: url patterns", len(urls))
    if unclassified:
        tally.finding("authz: url patterns", f"{len(unclassified)} not classified")
    assert not unclassified, f"classify these URLs in CLASSES: {unclassified}"
    assert not problems, problems[:30]
    assert state() == before, "a request of another role changed A's data"
    # No GET ends a session: Wagtail's logout takes a POST only (eloket.admin_edge).
    assert not ended_sessions, ended_sessions
    # The roles were what they claim to the end.
    assert roles["clerk of organisation B"].get("/beheer/inzendingen/").status_code == 200
    assert roles["citizen B"].get("/nl/mijn/").status_code == 200
