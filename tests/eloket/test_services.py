import logging

import pytest
from django.core.exceptions import ValidationError

from eloket import services
from eloket.constants import DossierStatus
from eloket.models import TimelineEvent
from eloket.ogm import ogm_display, ogm_from_base, ogm_validate
from tests.factories import DossierFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def party():
    return person_party(user=UserFactory())


def test_a_new_dossier_gets_a_valid_ogm_and_a_unique_reference(party):
    first, second = DossierFactory(party=party), DossierFactory(party=party)
    assert ogm_validate(first.ogm) == first.ogm
    assert first.reference != second.reference
    assert first.reference.startswith("RB-")


def test_ogm_is_printed_the_belgian_way():
    assert ogm_from_base(1234567890) == "123456789002"
    assert ogm_display("123456789002") == "+++123/4567/89002+++"
    assert ogm_from_base(0) == "000000000097"


def test_a_generated_ogm_has_the_check_digits_python_stdnum_computes():
    from random import Random

    from stdnum.be import ogm_vcs

    rng = Random(97)
    for base in [0, 1, 96, 97, 98, 10**10 - 1, *(rng.randrange(10**10) for _ in range(2000))]:
        body = f"{base:010d}"
        assert ogm_from_base(base) == body + ogm_vcs.calc_check_digits(body)
    with pytest.raises(ValueError):
        ogm_from_base(10**10)
    with pytest.raises(ValueError):
        ogm_from_base(-1)


def test_a_bad_ogm_is_refused(party):
    dossier = DossierFactory(party=party)
    dossier.ogm = "123456789003"
    with pytest.raises(ValidationError) as error:
        dossier.full_clean()
    assert "ogm" in error.value.message_dict


def test_timeline_events_are_append_only(party):
    dossier = DossierFactory(party=party, notified=True)
    event = dossier.timeline.first()
    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert TimelineEvent.objects.get(pk=event.pk).note == ""


def test_a_transition_queues_its_follow_up_only_after_commit(
    party, django_capture_on_commit_callbacks, caplog
):
    dossier = DossierFactory(party=party)
    caplog.set_level(logging.INFO, logger="eloket.tasks")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.NOTIFIED)
    assert len(callbacks) == 1
    assert "dossier_followup" not in caplog.text
    callbacks[0]()
    assert f"dossier={dossier.pk} kind=notified" in caplog.text


def test_a_refused_transition_queues_nothing(party, django_capture_on_commit_callbacks):
    dossier = DossierFactory(party=party)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(services.TransitionNotAllowed):
        services.dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.PAID)
    assert callbacks == []


def test_a_partial_payment_keeps_the_dossier_open(party):
    dossier = DossierFactory(party=party, notified=True)
    dossier = services.dossier_register_payment(dossier_id=dossier.pk, amount_cents=500)
    assert dossier.status == DossierStatus.NOTIFIED
    assert dossier.amount_due_cents == 1500


def test_an_overpayment_is_refused_and_nothing_changes(party):
    dossier = DossierFactory(party=party, notified=True)
    with pytest.raises(ValidationError):
        services.dossier_register_payment(dossier_id=dossier.pk, amount_cents=2001)
    dossier.refresh_from_db()
    assert dossier.amount_paid_cents == 0


def test_evidence_of_an_unknown_type_is_refused(party):
    dossier = DossierFactory(party=party)
    with pytest.raises(ValidationError):
        services.evidence_add(
            dossier=dossier, content=b"MZ", filename="x.exe", content_type="application/x-msdownload"
        )
    assert dossier.evidence.count() == 0


def test_evidence_is_stored_under_a_random_name_outside_public_media(party, settings):
    dossier = DossierFactory(party=party)
    evidence = services.evidence_add(
        dossier=dossier, content=b"\x89PNG\r\n", filename="../../etc/passwd.png", content_type="image/png"
    )
    assert "passwd" not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{dossier.pk}/")
    assert not str(evidence.file.path).startswith(str(settings.MEDIA_ROOT))


def test_a_permit_fee_is_paid_without_changing_the_permit_status(party):
    from eloket.constants import DossierKind

    dossier = DossierFactory(party=party, kind=DossierKind.RESIDENT_PERMIT, occurred_at=None, active=True)
    dossier = services.dossier_register_payment(dossier_id=dossier.pk, amount_cents=dossier.amount_due_cents)
    assert dossier.status == DossierStatus.ACTIVE
    assert dossier.amount_due_cents == 0


def test_a_revoked_permit_owes_nothing(party):
    from eloket.constants import DossierKind

    dossier = DossierFactory(party=party, kind=DossierKind.RESIDENT_PERMIT, occurred_at=None, active=True)
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.REVOKED)
    assert dossier.amount_original_cents == 2500
    assert dossier.amount_due_cents == 0
