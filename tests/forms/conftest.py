"""Fixtures of the forms tests: the home app's page tree (Genk and Vilvoorde), the handling
organisation, a citizen with a dossier, and a private storage of the test's own."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage

from forms.models import SubmissionAttachment
from tests.factories import DossierFactory, OrganisationFactory, UserFactory, person_party
from tests.home import conftest as home_fixtures

# The home app's page tree (Genk and Vilvoorde under the home page) and its language reset.
municipalities = home_fixtures.municipalities
locales = home_fixtures.locales
home_page = home_fixtures.home_page
genk_page = home_fixtures.genk_page
vilvoorde_page = home_fixtures.vilvoorde_page
translate = home_fixtures.translate
_reset_language = home_fixtures._reset_language


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Attachments go to a folder of this test, so a test can assert that no file was left behind."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(SubmissionAttachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def genk_city(municipalities):
    return OrganisationFactory(name_nl="Stad Genk", municipalities=[municipalities["genk"]])


@pytest.fixture
def citizen(db):
    user = UserFactory(email="anna@example.be")
    party = person_party(name="Anna Aerts", user=user)
    return user, party


@pytest.fixture
def retribution(citizen, genk_city, municipalities):
    _user, party = citizen
    return DossierFactory(
        party=party, organisation=genk_city, municipality=municipalities["genk"], notified=True
    )
