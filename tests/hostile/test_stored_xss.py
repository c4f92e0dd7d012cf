"""Stored XSS: a payload in every field a citizen or a city system can fill, then every page and e-mail
that shows them, asserting the payload appears only escaped.

Who fills what (the table ``FIELDS``): the city system through the API (party name, street, house
number, zone, plate, offence code and description, evidence caption), the citizen through the login
claims (given and family name, before or after the dossier arrives) and the contest form (a form
answer, the message), the clerk's reply (trusted, but shown to the citizen). Where it is shown: the
citizen's overview, dossier, messages list and message, the clerk's inbox and submission in the
admin, and every e-mail sent (HTML part). Each payload carries a tag naming its field, so a leak
names field and page.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from eloket.models import Notification, Party
from eloket.outbox import outbox_dispatch
from forms.constants import ContestReason, Purpose
from forms.models import Submission
from tests.eloket.api.conftest import make_key
from tests.factories import RegulationFactory, national_number
from tests.forms.citizen_helpers import form_page_make, png_bytes
from tests.forms.triage_helpers import clerk_make

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": '<script>alert("{t}")</script>',
    "attribute": '"><img src=x onerror=alert("{t}")>',
    "single-quote": "'><svg onload=alert('{t}')>",
    "javascript-url": 'javascript:alert("{t}")',
    "template": '{{{{7*7}}}}{t}{{% now "Y" %}}',
    "break-out": "</textarea></title><script>{t}</script>",
    "link": '<a href="javascript:alert(1)">{t}</a>',
}
# field tag -> who fills it
FIELDS = {
    "xpn": "api: party name",
    "xst": "api: street",
    "xhn": "api: house number",
    "xzc": "api: zone code",
    "xpl": "api: plate",
    "xoc": "api: offence code",
    "xod": "api: offence description",
    "xcap": "api: evidence caption",
    "xfn": "login claims: given name",
    "xln": "login claims: family name",
    "xans": "citizen: form answer",
    "xmsg": "citizen: contest message",
    "xrep": "clerk: reply",
}
# One party has one name: the login claims' names when the citizen logged in before the city system
# sent a dossier, else the city system's. The other one is shown nowhere, per order.
NOT_SHOWN = {"api first": {"xfn", "xln"}, "login first": {"xpn"}}
API_FIELDS = {
    "xst": "street",
    "xhn": "house_number",
    "xzc": "zone_code",
    "xpl": "plate",
    "xoc": "offence_code",
    "xod": "offence_description",
}


def _raw_leaks(html: str, payload: str, tag: str) -> bool:
    raw = payload.format(t=tag).lower()  # lower case: a zone code is shown in capitals
    html = html.lower()
    if raw in html:
        return True
    if payload.startswith("{{"):  # template injection: evaluated means "49<tag>" or a year after it
        return f"49{tag}" in html or re.search(rf"{tag}\d{{4}}", html) is not None
    return False


def _dangerous_url(html: str) -> bool:
    return re.search(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", html, re.I) is not None


@pytest.fixture
def scenario(client, genk_page, genk_city, municipalities, tally):
    """Build everything with ``payload`` in every field; returns the pages and mails as HTML."""

    def build(payload: str, order: str) -> tuple[dict[str, str], dict[str, str]]:
        from eloket.auth.claims import identity_from_claims
        from eloket.auth.services import citizen_login_record
        from tests.factories import UserFactory

        value = {tag: payload.format(t=tag) for tag in FIELDS}
        refused: dict[str, str] = {}
        RegulationFactory(organisation=genk_city, code="RET-2026")
        contest_page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(genk_city)}")
        number = national_number()
        user = UserFactory()
        # The claims of an ACM/IDM login (eloket.auth.claims), before or after the city system's dossier.
        claims = {"sub": "xss", "rrn": number, "given_name": value["xfn"], "family_name": value["xln"]}
        if order == "login first":
            citizen_login_record(user=user, identity=identity_from_claims(claims))
        line = {
            "kind": "parking_retribution",
            "municipality": municipalities["genk"].nis_code,
            "party": {"national_number": number, "name": value["xpn"]},
            "occurred_at": "2026-11-20T10:15:00+01:00",
            "regulation": "RET-2026",
            "status": "notified",
            **{name: value[tag] for tag, name in API_FIELDS.items()},
        }
        # A field the validator refuses (too long for a plate, say) is dropped and noted, not a leak.
        for _attempt in range(len(API_FIELDS) + 2):
            response = api.put("/api/v1/dossiers/XSS-1/", line, format="json")
            if response.status_code in (200, 201):
                break
            assert response.status_code == 400, response.content
            for name in response.json()["errors"]:
                tag = next((t for t, n in API_FIELDS.items() if n == name), None)
                if tag is None and name == "plate":
                    tag = "xpl"
                refused[tag or name] = "refused by the API"
                line.pop(name, None)
                if name in ("plate",):
                    line["plate"] = "1-ABC-123"
        else:
            pytest.fail(f"the API never took the line: {response.content!r}")
        evidence = api.post(
            "/api/v1/dossiers/XSS-1/evidence/",
            {"file": _file(), "caption": value["xcap"][:200]},
            format="multipart",
        )
        assert evidence.status_code == 201, evidence.content
        party = Party.objects.get(dossiers__external_id="XSS-1")
        Party.objects.filter(pk=party.pk).update(email="burger@example.be", email_verified=True)
        if order == "api first":
            citizen_login_record(user=user, identity=identity_from_claims(claims))
        dossier = party.dossiers.get()
        client.force_login(user)
        url = reverse("eloket_forms:dossier_form", args=[dossier.reference, "contest"])
        token = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(url).content.decode()).group(
            1
        )
        answer_field = contest_page.form_fields.first().clean_name
        posted = client.post(
            url,
            {
                "idempotency_key": token,
                "contest_reason": ContestReason.OTHER,
                "message": value["xmsg"],
                answer_field: value["xans"],
            },
        )
        assert posted.status_code == 302, posted.content.decode()[:2000]
        submission = Submission.objects.get()
        clerk = clerk_make(organisations=[genk_city])
        clerk_client = type(client)()
        clerk_client.force_login(clerk)
        replied = clerk_client.post(
            reverse("eloket_forms_admin:message", args=[submission.reference]),
            {"kind": "reply", "body": value["xrep"], "send": "1"},
        )
        assert replied.status_code in (200, 302)
        pages = {
            "citizen: overview": client.get(reverse("eloket:overview")),
            "citizen: dossier": client.get(reverse("eloket:dossier_detail", args=[dossier.reference])),
            "citizen: messages": client.get(reverse("eloket_forms:submission_list")),
            "citizen: message": client.get(
                reverse("eloket_forms:submission_detail", args=[submission.reference])
            ),
            "clerk: inbox": clerk_client.get(reverse("eloket_forms_admin:inbox")),
            "clerk: submission": clerk_client.get(
                reverse("eloket_forms_admin:detail", args=[submission.reference])
            ),
        }
        html = {}
        for name, response in pages.items():
            assert response.status_code == 200, (name, response.status_code)
            html[name] = response.content.decode()
        return html, refused

    return build


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")


def mails_html(capture) -> dict[str, str]:
    """Every e-mail: the queued rows' HTML and what the outbox dispatch sent."""
    with capture(execute=True):
        outbox_dispatch()
    found = {f"mail: {row.template}": row.body_html for row in Notification.objects.all()}
    for message in mail.outbox:
        for body, kind in getattr(message, "alternatives", []):
            if kind == "text/html":
                found.setdefault(f"mail: {message.subject[:30]}", body)
    return found


@pytest.mark.parametrize("order", ["api first", "login first"])
@pytest.mark.parametrize("payload_name", list(PAYLOADS))
def test_every_payload_in_every_field_is_shown_escaped_on_every_page_and_in_every_mail(
    scenario, payload_name, order, tally, django_capture_on_commit_callbacks
):
    payload = PAYLOADS[payload_name]
    with django_capture_on_commit_callbacks(execute=True):
        html, refused = scenario(payload, order)
    html.update(mails_html(django_capture_on_commit_callbacks))
    assert any(name.startswith("mail: ") for name in html), "no e-mail was rendered"
    leaks = []
    shown = 0
    for page, content in html.items():
        if _dangerous_url(content):
            leaks.append(f"{page}: a javascript: URL in an attribute")
        for tag, field in FIELDS.items():
            tally.attempt("xss: field x page")
            if _raw_leaks(content, payload, tag):
                leaks.append(f"{field} unescaped on {page}")
            elif tag in content.lower():
                shown += 1
    for leak in leaks:
        tally.finding("xss: field x page", f"{payload_name}: {leak}")
    tally.attempt("xss: payload shown escaped", shown)
    assert not leaks, leaks
    # The table means something only when the fields are on the pages: most of them must be.
    on_some_page = {tag for tag in FIELDS if any(tag in content.lower() for content in html.values())}
    missing = set(FIELDS) - on_some_page - set(refused) - NOT_SHOWN[order]
    assert not missing, f"fields shown nowhere: {sorted(FIELDS[t] for t in missing)}"
