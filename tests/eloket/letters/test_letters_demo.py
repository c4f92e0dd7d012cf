"""The demo shows letters by post: its two citizens who are not digital get theirs in today's batch,
one in French with the official Dutch text; seeding again makes none twice; the demo's logins get none."""

from __future__ import annotations

import pytest

from eloket import demo
from eloket.constants import DossierStatus
from eloket.models import Dossier, Letter

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_batch_of_letters_for_the_citizens_who_are_not_digital():
    demo.seed()
    demo.seed()

    letters = Letter.objects.select_related("dossier__party").order_by("dossier__reference")
    assert sorted(letter.dossier.party.display_name for letter in letters) == [
        "Marc Lambert",
        "Rita Vermeulen",
        "Rita Vermeulen",
    ]
    assert {letter.language for letter in letters} == {"nl", "fr"}
    assert all(letter.dossier.status == DossierStatus.NOTIFIED for letter in letters)
    french = letters.get(language="fr")
    assert french.pages >= 2  # the official Dutch text follows
    # An, Bart and the company are digital: their issued dossiers stay as they were.
    assert Dossier.objects.filter(external_id="DEMO-an-ret-issued", status=DossierStatus.ISSUED).exists()
