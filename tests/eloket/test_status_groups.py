"""Every status belongs to one group of what the citizen must do, shown with its colour, icon and text."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from eloket.constants import STATUS_GROUPS, VOID_STATUSES, DossierStatus, StatusGroup
from eloket.templatetags.dossier_status import status_badge
from tests.factories import DossierFactory, UserFactory, person_party

CSS = Path(__file__).resolve().parents[2] / "config" / "static" / "css" / "eloket.css"


def test_every_dossier_status_has_a_group():
    assert set(STATUS_GROUPS) == set(DossierStatus.values)
    assert set(STATUS_GROUPS.values()) <= set(StatusGroup.values)


def test_every_group_is_used_and_cancelled_is_exactly_the_void_statuses():
    assert set(STATUS_GROUPS.values()) == set(StatusGroup.values)
    assert {s for s, g in STATUS_GROUPS.items() if g == StatusGroup.CANCELLED} == set(VOID_STATUSES)


def test_each_group_has_its_own_icon_and_colour_and_the_icon_is_hidden_from_screen_readers():
    one_status = {group: status for status, group in STATUS_GROUPS.items()}
    icons = set()
    css = CSS.read_text()
    for group, status in one_status.items():
        badge = str(status_badge(status))
        svg = re.search(r"<svg[^>]*>(.*?)</svg>", badge)
        assert 'aria-hidden="true"' in badge and svg
        icons.add(svg.group(1))
        assert f"badge--{group}" in badge
        assert f".badge--{group} {{" in css
    assert len(icons) == len(StatusGroup.values)


def test_the_badge_shows_the_groups_text_and_the_status():
    badge = str(status_badge(DossierStatus.NOTIFIED))
    assert "Actie nodig" in badge
    assert '<span class="status">Te betalen</span>' in badge
    assert "Wacht op de stad" in str(status_badge(DossierStatus.CONTESTED))


def test_a_status_that_starts_with_its_groups_text_does_not_repeat_it():
    badge = str(status_badge(DossierStatus.CANCELLED_BY_PERMIT))
    assert "badge__group" not in badge
    assert "Geannuleerd: geldige vergunning" in badge
    assert "badge__group" in str(status_badge(DossierStatus.REVOKED))


@pytest.mark.django_db
def test_the_overview_and_the_dossier_page_show_the_same_badge(client):
    user = UserFactory()
    dossier = DossierFactory(party=person_party(user=user), contested=True)
    client.force_login(user)
    badge = str(status_badge(DossierStatus.CONTESTED))
    assert badge in client.get(reverse("eloket:overview")).content.decode()
    assert badge in client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
