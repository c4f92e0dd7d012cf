"""A citizen who pays parking by app: the overview's block, the page "Parkeersessies" and a retribution
cancelled by a session, in Chromium, checked with axe-core (WCAG 2.1 AA) at desktop and phone width.

The demo holds no citizen of this test's own: one is added to the live site's database (a login of its
own, so the other browser tests' counts of An Peeters' dossiers stay as they are).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.live_site import REPO, BrowserDatabase, server_environment
from tests.browser.steps import demo_login
from tests.browser.test_accessibility import WIDTHS, check

pytestmark = pytest.mark.browser

NAME = "Pieter Parkeerder"
SEED = """
import datetime as dt
from django.utils import timezone
from eloket import services
from eloket.constants import DossierKind, DossierStatus, OrganisationKind, RepresentationRole
from eloket.identifiers import parse_national_number
from eloket.models import Municipality, Organisation, Regulation, User
from eloket.models.parking import ParkingArea, ParkingSession
from eloket.scale import synthetic_national_number
from eloket.sessions.cross_check import session_cross_check

genk = Municipality.objects.get(slug="genk")
city = Organisation.objects.filter(municipalities=genk, kind=OrganisationKind.CITY).first()
regulation = Regulation.objects.filter(organisation=city, kind=DossierKind.PARKING_RETRIBUTION).first()
provider = Organisation.objects.create(
    slug="browser-parkeerapp", kind=OrganisationKind.PARKING_PROVIDER, name_nl="ParkeerApp",
    iban="BE21001234567803", account_holder="ParkeerApp", email="info@parkeerapp.example",
)
area = ParkingArea.objects.create(
    municipality=genk, organisation=city, code="BROWSER-C1", name_nl="Centrum Noord",
    name_fr="Centre Nord",
)
user = User.objects.create(username="parkeerder", demo_key="zz-parkeerder", first_name="Pieter",
                           last_name="Parkeerder")
party, _ = services.party_get_or_create(
    identifier=parse_national_number(synthetic_national_number(987654)), display_name="Pieter Parkeerder"
)
services.representation_add(user=user, party=party, role=RepresentationRole.SELF)
observed = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=1)
dossier = services.dossier_create(
    kind=DossierKind.PARKING_RETRIBUTION, party=party, organisation=city, municipality=genk,
    regulation=regulation, external_id="BROWSER-SESSION-1", plate="1-PRK-001", zone_code="BROWSER-C1",
    street="Markt", occurred_at=observed, amount_original_cents=2500,
)
services.dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.NOTIFIED)
sessions = [
    ParkingSession.objects.create(
        provider=provider, provider_session_id=f"PA-{days}", municipality=genk, area=area,
        area_code=area.code, plate="1-PRK-001", plate_normalised="1PRK001",
        start_at=observed - dt.timedelta(days=days, minutes=20),
        end_at=observed - dt.timedelta(days=days) + dt.timedelta(hours=1),
        amount_paid_cents=180 + days, party=party,
    )
    for days in range(5)
]
ParkingSession.objects.create(
    provider=provider, provider_session_id="PA-running", municipality=genk, area=area,
    area_code=area.code, plate="1-PRK-001", plate_normalised="1PRK001",
    start_at=timezone.now() - dt.timedelta(minutes=10), end_at=None, amount_paid_cents=90, party=party,
)
assert session_cross_check(session_ids=[s.pk for s in sessions]).cancelled == 1
"""


@pytest.fixture(scope="module")
def parker(live_site, mail_sink) -> str:
    """A citizen with six sessions (one still running) and a retribution a session cancelled; returns
    the retribution's page."""
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
    return NAME


@pytest.fixture
def parker_page(page, parker):
    demo_login(page, name=parker)
    return page


def test_the_overview_shows_the_latest_sessions_and_leads_to_the_page(parker_page):
    page = parker_page
    block = page.get_by_test_id("overview-sessions")
    expect(block.get_by_role("heading", name="Parkeersessies")).to_be_visible()
    expect(block.locator("tbody tr")).to_have_count(3)
    expect(block.locator("tbody tr").first).to_contain_text("loopt nog")
    block.get_by_role("link", name="Al uw parkeersessies").click()
    expect(page).to_have_url(re.compile(r"/nl/mijn/parkeersessies/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Parkeersessies")
    table = page.get_by_role("table", name="6 parkeersessies")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table.get_by_role("columnheader", name="Aanbieder")).to_be_visible()
    expect(table).to_contain_text("Centrum Noord")


def test_the_cancelled_retribution_says_it_was_paid_by_app(parker_page):
    page = parker_page
    page.goto("/nl/mijn/?kind=parking_retribution")
    page.locator(".dossier-table tbody a").first.click()
    cover = page.get_by_test_id("session-cover")
    expect(cover).to_contain_text("Geannuleerd: betaald via ParkeerApp")
    expect(cover).to_contain_text("liep een parkeersessie van")
    expect(page.locator(".timeline")).to_contain_text("sessie PA-0 van ParkeerApp in zone BROWSER-C1")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_axe_finds_no_wcag_21_aa_violation_on_the_parking_pages(parker_page, screenshot_dir, width):
    page = parker_page
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in (("parking-overview", "/nl/mijn/"), ("parking-sessions", "/nl/mijn/parkeersessies/")):
        response = page.goto(path)
        assert response is not None and response.ok
        check(page, name=name, width=width, screenshot_dir=screenshot_dir)
        assert no_overflow(page), f"{path} is wider than {width} px"
    page.goto("/nl/mijn/?kind=parking_retribution")
    page.locator(".dossier-table tbody a").first.click()
    expect(page.get_by_test_id("session-cover")).to_be_visible()
    check(page, name="parking-dossier", width=width, screenshot_dir=screenshot_dir)
    assert no_overflow(page)


def no_overflow(page) -> bool:
    """Nothing is wider than the window (no sideways scrolling, also at 360 px)."""
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
