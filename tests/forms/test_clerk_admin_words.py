"""What the clerk reads in the inbox and on a submission: the filter fields in sight, yes/no and
languages as words (never True/False or a code), and what a file's virus-scan status means."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from forms.constants import SCAN_STATUS_EXPLAINED, ScanStatus
from forms.forms import PAID_BY_APP, YES
from tests.forms.clerk_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

INBOX = reverse("eloket_forms_admin:inbox")


def detail(client, submission) -> str:
    response = client.get(reverse("eloket_forms_admin:detail", args=[submission.reference]))
    assert response.status_code == 200
    return response.content.decode()


def visible_text(html: str) -> str:
    """The page's text outside scripts, styles and tags (what a reader of the page sees)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_inbox_shows_its_filter_fields_without_a_click(client, genk_clerk, genk_contest):
    client.force_login(genk_clerk)
    html = client.get(INBOX).content.decode()

    panel = html.split('aria-labelledby="inbox-filters-title"', 1)[1].split("</section>", 1)[0]
    assert "<details" not in html.split("Filteren en zoeken", 1)[0][-400:]
    for name in ("q", "purpose", "assignee"):
        assert f'name="{name}"' in panel, name
    assert "Filteren" in panel


def test_yes_no_answers_and_the_language_are_words_on_the_submission(client, genk_clerk, genk_contest):
    genk_contest.form_data = {"akkoord_met_voorwaarden": True, "herinnering": False, PAID_BY_APP: YES}
    genk_contest.language = "fr"
    genk_contest.save(update_fields=["form_data", "language"])
    client.force_login(genk_clerk)

    text = visible_text(detail(client, genk_contest))

    assert "True" not in text and "False" not in text
    assert re.search(r"akkoord_met_voorwaarden ja\b", text)
    assert re.search(r"herinnering nee\b", text)
    assert "Betaald via een app of sms ja" in text
    assert re.search(r"Taal (Frans|French)\b", text), text[text.find("Taal") :][:40]
    assert " FR " not in text


@pytest.mark.parametrize("status", [ScanStatus.NOT_SCANNED, ScanStatus.CLEAN, ScanStatus.INFECTED])
def test_each_attachment_says_what_its_scan_status_means(client, genk_clerk, genk_contest, status):
    genk_contest.attachments.update(scan_status=status)
    client.force_login(genk_clerk)

    html = detail(client, genk_contest)

    explained = re.findall(r'data-testid="scan-explained">([^<]*)<', html)
    assert explained == [str(SCAN_STATUS_EXPLAINED[status]).replace("'", "&#x27;")]
    link = reverse(
        "eloket_forms_admin:attachment", args=[genk_contest.reference, genk_contest.attachments.get().pk]
    )
    assert (link in html) == (status != ScanStatus.INFECTED)


def test_a_listing_shows_a_yes_no_field_as_a_word(client, genk):
    from eloket.models import WebhookEndpoint
    from tests.eloket.webhooks.conftest import coordinator_make

    WebhookEndpoint.objects.create(organisation=genk, url="https://genk.example/hook", active=False)
    client.force_login(coordinator_make(genk))

    text = visible_text(client.get(reverse("eloket_webhooks:index")).content.decode())

    assert "nee" in text.split("genk.example/hook", 1)[1][:200]
    assert "False" not in text and "True" not in text
