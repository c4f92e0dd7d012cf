"""The dossier page shows an action only when a registered builder gives a URL for that dossier."""

import pytest

from eloket import actions
from eloket.constants import CitizenAction
from tests.factories import DossierFactory, person_party

pytestmark = pytest.mark.django_db


def test_an_action_is_shown_only_when_its_builder_returns_a_url(monkeypatch):
    monkeypatch.setattr(actions, "_URL_BUILDERS", {})
    dossier = DossierFactory(party=person_party(), notified=True)
    assert actions.actions_for(dossier) == []
    actions.action_register(CitizenAction.CONTEST, lambda d: f"/bezwaar/{d.reference}/")
    actions.action_register(CitizenAction.ASK, lambda d: None)
    assert [(a.code, a.url) for a in actions.actions_for(dossier)] == [
        (CitizenAction.CONTEST, f"/bezwaar/{dossier.reference}/")
    ]
