"""Issue 14, point 5, in Chromium: a citizen contests a Genk retribution saying she had paid by app;
her session was in the neighbouring zone. The clerk sees the retribution and the session side by side
and accepts; the citizen gets the decision by e-mail and sees her retribution cancelled. axe-core checks
the citizen's form and the clerk's screen (WCAG 2.1 AA).

The demo holds no such citizen: one is added to the live site's database (a login of her own, so the
other browser tests' counts of An Peeters' dossiers stay as they are).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live_site import REPO, BrowserDatabase, server_environment
from tests.browser.steps import admin_login, demo_login
from tests.browser.test_accessibility import check as axe_check
from tests.mail_sink import MailSink, text_of

pytestmark = pytest.mark.browser

NAME = "Nora Nabij"
EMAIL = "nora.nabij@example.be"
SEED = """
import datetime as dt
from django.utils import timezone
from eloket import services
from eloket.constants import DossierKind, DossierStatus, OrganisationKind, RepresentationRole
from eloket.identifiers import parse_national_number
from eloket.models import Municipality, Organisation, Regulation, User
from eloket.models.parking import ParkingArea, ParkingSession
from eloket.scale import synthetic_national_number

genk = Municipality.objects.get(slug="genk")
opc = Organisation.objects.get(slug="opc-genk")
regulation = Regulation.objects.get(organisation=opc, code="GENK-RET-2018")
provider = Organisation.objects.create(
    slug="browser-bijnapark", kind=OrganisationKind.PARKING_PROVIDER, name_nl="BijnaPark",
    iban="BE21001234567803", account_holder="BijnaPark", email="info@bijnapark.example",
)
zone = ParkingArea.objects.create(
    municipality=genk, organisation=opc, code="NEAR-Z1", name_nl="Zuid", name_fr="Sud",
)
beside = ParkingArea.objects.create(
    municipality=genk, organisation=opc, code="NEAR-Z2", name_nl="Zuid-Oost", name_fr="Sud-Est",
)
zone.neighbours.add(beside)
user = User.objects.create(username="nabij", demo_key="zz-nabij", first_name="Nora", last_name="Nabij")
party, _ = services.party_get_or_create(
    identifier=parse_national_number(synthetic_national_number(987655)), display_name="Nora Nabij",
    email="nora.nabij@example.be",
)
services.representation_add(user=user, party=party, role=RepresentationRole.SELF)
observed = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=2)
dossier = services.dossier_create(
    kind=DossierKind.PARKING_RETRIBUTION, party=party, organisation=opc, municipality=genk,
    regulation=regulation, external_id="BROWSER-NEAR-1", plate="1-NRB-001", zone_code="NEAR-Z1",
    street="Hoogstraat", occurred_at=observed,
)
services.dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.NOTIFIED)
ParkingSession.objects.create(
    provider=provider, provider_session_id="BP-4242", municipality=genk, area=beside,
    area_code=beside.code, plate="1-NRB-001", plate_normalised="1NRB001",
    start_at=observed - dt.timedelta(minutes=25), end_at=observed + dt.timedelta(minutes=50),
    amount_paid_cents=275,
)
print(dossier.reference)
"""


@pytest.fixture(scope="module")
def nora_dossier(live_site, mail_sink) -> str:
    """Nora's retribution in zone NEAR-Z1, and her session in the neighbouring NEAR-Z2; its reference."""
    workdir = live_site.log_path.parent
    database = BrowserDatabase.for_environment(workdir=workdir)
    env = server_environment(database=database, workdir=workdir, smtp_port=mail_sink.port)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_a_citizen_who_paid_by_app_in_the_next_zone_is_answered_by_one_click_of_the_clerk(
    browser: Browser, live_site, mail_sink: MailSink, nora_dossier: str, screenshot_dir
):
    def new_page() -> Page:
        context = browser.new_context(
            base_url=live_site.url, viewport={"width": 1280, "height": 900}, locale="nl-BE"
        )
        return context.new_page()

    citizen, clerk = new_page(), new_page()
    demo_login(citizen, name=NAME)
    dossier_path = f"/nl/mijn/dossiers/{nora_dossier}/"
    reference = nora_contests_saying_she_paid_by_app(citizen, dossier_path, screenshot_dir=screenshot_dir)

    admin_login(clerk, username="behandelaar-genk", password="demo-behandelaar")
    clerk.goto(f"/beheer/inzendingen/{reference}/")
    box = clerk.get_by_test_id("paid-by-app")
    expect(box.get_by_role("heading", name="Mogelijk betaald via app of sms")).to_be_visible()
    expect(box).to_contain_text("De burger zegt betaald te hebben via een app of sms (BijnaPark)")
    table = box.get_by_role("table", name="Sessie BP-4242 van BijnaPark")
    expect(table.get_by_role("columnheader", name="Retributie")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Parkeersessie")).to_be_visible()
    expect(table).to_contain_text("NEAR-Z2 (Zuid-Oost)")
    expect(table).to_contain_text("Verschilt: aangrenzende zone van NEAR-Z1")
    expect(table).to_contain_text("Dekt het tijdstip van de vaststelling")
    axe_check(clerk, name="clerk-paid-by-app", width=1280, screenshot_dir=screenshot_dir)
    box.screenshot(path=screenshot_dir / "clerk-paid-by-app-box.png")
    box.get_by_role("button", name="Aanvaarden: retributie annuleren").click()
    expect(clerk.locator(".messages")).to_contain_text("Aanvaard: de retributie is geannuleerd")
    expect(clerk.get_by_test_id("paid-by-app")).to_contain_text("Aanvaard op")
    expect(clerk.get_by_role("button", name="Aanvaarden: retributie annuleren")).to_have_count(0)

    decision = mail_sink.wait_for(
        lambda m: "Beslissing" in str(m["Subject"]) and reference in str(m["Subject"]), what="the decision"
    )
    assert EMAIL in str(decision["To"])
    assert "BijnaPark" in text_of(decision) and "BP-4242" in text_of(decision)

    citizen.goto(dossier_path)
    expect(citizen.get_by_text("Geannuleerd", exact=True).first).to_be_visible()
    expect(citizen.get_by_role("link", name="Bezwaar indienen")).to_have_count(0)
    citizen.goto(f"/nl/mijn/berichten/{reference}/")
    expect(citizen.get_by_test_id("thread")).to_contain_text("U had betaald via BijnaPark")
    axe_check(citizen, name="paid-by-app-decided-nl", width=1280, screenshot_dir=screenshot_dir)


def nora_contests_saying_she_paid_by_app(page: Page, dossier_path: str, *, screenshot_dir) -> str:
    page.goto(dossier_path)
    page.get_by_role("link", name="Bezwaar indienen").click()
    expect(page.get_by_role("group", name="Had u betaald via een app of sms?")).to_be_visible()
    axe_check(page, name="contest-paid-by-app-nl", width=1280, screenshot_dir=screenshot_dir)
    page.get_by_label("Ik had een geldige parkeersessie via app of sms").check()
    page.get_by_label("Ja, ik had betaald via een app of sms").check()
    page.get_by_label("Als u ja antwoordde: via welke app of sms-dienst?").fill("BijnaPark")
    page.locator("textarea[name=message]").fill("Ik had betaald via de app, in de straat om de hoek.")
    page.locator("form.citizen-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Goed ontvangen")
    return page.get_by_test_id("submission-reference").inner_text().strip()
