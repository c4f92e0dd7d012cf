"""A decision on a contest or defence moves the dossier the way its policy says."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from eloket import services
from eloket.constants import Decision, DossierKind, DossierStatus, TimelineEventKind
from tests.factories import DossierFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def party():
    return person_party(user=UserFactory())


def test_filing_a_contest_puts_a_retribution_on_hold(party):
    dossier = DossierFactory(party=party, notified=True)
    services.dossier_put_on_hold(dossier_id=dossier.pk, note="V-ABC234")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CONTESTED
    assert dossier.policy.is_on_hold(dossier)
    assert dossier.policy.next_step_up(dossier, timezone.localdate()) is None


def test_a_defence_puts_a_gas_fine_on_hold(party):
    dossier = DossierFactory(party=party, kind=DossierKind.GAS4, notified=True)
    services.dossier_put_on_hold(dossier_id=dossier.pk)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DEFENCE


def test_a_permit_cannot_be_contested(party):
    dossier = DossierFactory(party=party, kind=DossierKind.RESIDENT_PERMIT, active=True)
    with pytest.raises(services.TransitionNotAllowed):
        services.dossier_put_on_hold(dossier_id=dossier.pk)


def test_an_upheld_contest_cancels_the_retribution(party):
    dossier = DossierFactory(party=party, contested=True)
    result = services.dossier_decide(
        dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="Geldig ticket getoond."
    )
    assert result.dossier.status == DossierStatus.CANCELLED
    assert result.dossier.amount_due_cents == 0
    assert result.refund_due_cents == 0
    event = result.dossier.timeline.last()
    assert event.kind == TimelineEventKind.DECIDED_UPHELD
    assert event.note == "Geldig ticket getoond."


def test_a_rejected_defence_gives_a_new_thirty_days_to_pay(party):
    dossier = DossierFactory(party=party, kind=DossierKind.GAS5, defence=True)
    decided_on = timezone.localdate()
    result = services.dossier_decide(
        dossier_id=dossier.pk, decision=Decision.REJECTED, motivation="Meting correct."
    )
    assert result.dossier.status == DossierStatus.NOTIFIED
    assert result.dossier.pay_by == decided_on + dt.timedelta(days=30)
    assert result.dossier.timeline.last().kind == TimelineEventKind.DECIDED_REJECTED


def test_a_partly_upheld_contest_lowers_the_amount(party):
    dossier = DossierFactory(party=party, contested=True)
    original = dossier.amount_original_cents
    result = services.dossier_decide(
        dossier_id=dossier.pk, decision=Decision.PARTLY_UPHELD, amount_cents=original // 2, motivation="Half."
    )
    assert result.dossier.status == DossierStatus.NOTIFIED
    assert result.dossier.amount_due_cents == original // 2
    event = result.dossier.timeline.last()
    assert event.kind == TimelineEventKind.DECIDED_PARTLY
    assert event.data["amount_from_cents"] == original
    assert event.data["amount_to_cents"] == original // 2


def test_the_law_fixes_a_gas_amount_so_it_cannot_be_partly_upheld(party):
    dossier = DossierFactory(party=party, kind=DossierKind.GAS4, defence=True)
    with pytest.raises(ValidationError) as error:
        services.dossier_decide(
            dossier_id=dossier.pk, decision=Decision.PARTLY_UPHELD, amount_cents=1000, motivation="x"
        )
    assert "decision" in error.value.message_dict
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DEFENCE


@pytest.mark.parametrize("amount", [None, 0, 10**6])
def test_a_partly_upheld_contest_needs_a_lower_amount(party, amount):
    dossier = DossierFactory(party=party, contested=True)
    with pytest.raises(ValidationError) as error:
        services.dossier_decide(
            dossier_id=dossier.pk, decision=Decision.PARTLY_UPHELD, amount_cents=amount, motivation="x"
        )
    assert "amount_cents" in error.value.message_dict
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CONTESTED


def test_upholding_a_contest_on_a_paid_retribution_owes_a_refund(party, django_capture_on_commit_callbacks):
    dossier = DossierFactory(party=party, paid=True)
    paid = dossier.amount_paid_cents
    services.dossier_put_on_hold(dossier_id=dossier.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.dossier_decide(dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="ok")
    assert result.refund_due_cents == paid > 0
    assert result.dossier.status == DossierStatus.CANCELLED
    assert result.dossier.timeline.last().data["refund_due_cents"] == paid
    # The transition follow-up and the outbox dispatch (the webhooks, and the refund: refunds_fan_out).
    assert len(callbacks) == 2


def test_rejecting_a_contest_on_a_paid_retribution_leaves_it_paid(party):
    dossier = DossierFactory(party=party, paid=True)
    services.dossier_put_on_hold(dossier_id=dossier.pk)
    result = services.dossier_decide(dossier_id=dossier.pk, decision=Decision.REJECTED, motivation="nee")
    assert result.dossier.status == DossierStatus.PAID
    assert result.refund_due_cents == 0


def test_nothing_to_decide_without_an_open_contest(party):
    dossier = DossierFactory(party=party, notified=True)
    with pytest.raises(services.TransitionNotAllowed):
        services.dossier_decide(dossier_id=dossier.pk, decision=Decision.UPHELD, motivation="x")
