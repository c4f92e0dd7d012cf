"""Fixtures of the clerk-side tests: two organisations, a clerk of each, and a contest in each.

Import with ``from tests.forms.clerk_fixtures import *`` (pytest finds fixtures in the test module).
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from eloket.constants import DossierKind
from eloket.services import evidence_add
from forms.models import SubmissionAttachment
from tests.factories import DossierFactory, MunicipalityFactory, OrganisationFactory, person_party
from tests.forms.triage_helpers import clerk_make, submission_make

__all__ = ["genk", "genk_clerk", "genk_contest", "hasselt", "hasselt_clerk", "hasselt_contest", "png"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def png():
    return PNG


def _organisation(name: str):
    municipality = MunicipalityFactory(name_nl=name)
    organisation = OrganisationFactory(name_nl=f"Stad {name}", municipalities=[municipality])
    return organisation


@pytest.fixture
def genk(db):
    return _organisation("Genk")


@pytest.fixture
def hasselt(db):
    return _organisation("Hasselt")


@pytest.fixture
def genk_clerk(genk):
    return clerk_make(organisations=[genk], username="clerk-genk", first_name="Greet", last_name="Genk")


@pytest.fixture
def hasselt_clerk(hasselt):
    return clerk_make(
        organisations=[hasselt], username="clerk-hasselt", first_name="Hans", last_name="Hasselt"
    )


def _contest(organisation, *, plate: str, reference_suffix: str):
    dossier = DossierFactory(
        party=person_party(name=f"Burger {reference_suffix}"),
        organisation=organisation,
        municipality=organisation.municipalities.first(),
        plate=plate,
        kind=DossierKind.PARKING_RETRIBUTION,
        contested=True,
    )
    evidence_add(dossier=dossier, content=PNG, filename="foto.png", content_type="image/png", caption="Foto")
    submission = submission_make(
        organisation=organisation,
        dossier=dossier,
        purpose="contest",
        contest_reason="valid_ticket",
        message="Ik had een ticket.",
        reference=f"V-{reference_suffix}",
        contact_email=f"burger-{reference_suffix.lower()}@example.be",
    )
    attachment = SubmissionAttachment(
        submission=submission, original_name="ticket.png", content_type="image/png", size=len(PNG)
    )
    attachment.file.save("ticket.png", ContentFile(PNG), save=False)
    attachment.save()
    return submission


@pytest.fixture
def genk_contest(genk):
    return _contest(genk, plate="1-ABC-123", reference_suffix="GENK22")


@pytest.fixture
def hasselt_contest(hasselt):
    return _contest(hasselt, plate="2-XYZ-987", reference_suffix="HASS33")
