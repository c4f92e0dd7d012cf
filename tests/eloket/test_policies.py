import datetime as dt
import itertools

import pytest
from django.utils import timezone

from eloket import services
from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.models import Dossier
from eloket.policies import policy_for, registered_kinds
from tests.factories import DossierFactory, UserFactory, person_party

pytestmark = pytest.mark.django_db
S = DossierStatus


@pytest.fixture
def party():
    return person_party(user=UserFactory())


def test_every_kind_has_a_policy():
    assert sorted(registered_kinds()) == sorted(DossierKind.values)


@pytest.mark.parametrize("kind", DossierKind.values)
def test_every_pair_outside_the_table_is_refused_and_writes_nothing(kind, party):
    dossier = DossierFactory(party=party, kind=kind)
    policy = policy_for(kind)
    refused = 0
    for from_status, to_status in itertools.product(DossierStatus.values, repeat=2):
        if policy.event_for(from_status, to_status):
            continue
        Dossier.objects.filter(pk=dossier.pk).update(status=from_status)  # test setup only
        events_before = dossier.timeline.count()
        with pytest.raises(services.TransitionNotAllowed):
            services.dossier_transition(dossier_id=dossier.pk, to_status=to_status)
        dossier.refresh_from_db()
        assert dossier.status == from_status
        assert dossier.timeline.count() == events_before
        refused += 1
    assert refused == len(DossierStatus.values) ** 2 - len(policy.transitions)


@pytest.mark.parametrize("kind", DossierKind.values)
def test_every_pair_in_the_table_is_allowed_and_appends_its_event(kind, party):
    dossier = DossierFactory(party=party, kind=kind)
    for (from_status, to_status), event_kind in policy_for(kind).transitions.items():
        Dossier.objects.filter(pk=dossier.pk).update(status=from_status, amount_paid_cents=0, costs_cents=0)
        services.dossier_transition(dossier_id=dossier.pk, to_status=to_status)
        dossier.refresh_from_db()
        assert dossier.status == to_status
        last = dossier.timeline.order_by("-id").first()
        assert (last.kind, last.status_from, last.status_to) == (event_kind, from_status, to_status)


def test_a_contested_retribution_cannot_be_handed_to_collection(party):
    dossier = DossierFactory(party=party, contested=True)
    with pytest.raises(services.TransitionNotAllowed):
        services.dossier_transition(dossier_id=dossier.pk, to_status=S.IN_COLLECTION)


def test_retribution_happy_path_notified_then_paid(party):
    dossier = DossierFactory(party=party, notified=True)
    assert dossier.amount_original_cents == 2000
    assert dossier.pay_by == timezone.localdate() + dt.timedelta(days=30)
    services.dossier_register_payment(dossier_id=dossier.pk, amount_cents=2000)
    dossier.refresh_from_db()
    assert dossier.status == S.PAID
    assert dossier.amount_due_cents == 0
    assert list(dossier.timeline.values_list("kind", flat=True)) == ["issued", "notified", "paid"]


def test_retribution_unpaid_path_adds_the_regulation_costs_step_by_step(party):
    dossier = DossierFactory(party=party, notified=True)
    step_up = dossier.policy.next_step_up(dossier, timezone.localdate())
    assert step_up.on == dossier.pay_by + dt.timedelta(days=1)
    assert step_up.amount_cents == 3000
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.REMINDED)
    assert dossier.costs_cents == 1000
    assert dossier.amount_due_cents == 3000
    assert dossier.policy.next_step_up(dossier, timezone.localdate()).amount_cents == 4500
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.FORMAL_NOTICE)
    assert dossier.amount_due_cents == 4500
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.IN_COLLECTION)
    assert dossier.status == S.IN_COLLECTION


def test_a_contested_retribution_is_on_hold_without_step_ups(party):
    dossier = DossierFactory(party=party, contested=True)
    assert dossier.policy.is_on_hold(dossier)
    assert dossier.policy.next_step_up(dossier, timezone.localdate()) is None


def test_a_rejected_contest_makes_the_retribution_payable_again(party):
    dossier = DossierFactory(party=party, contested=True)
    dossier = services.dossier_transition(
        dossier_id=dossier.pk, to_status=S.NOTIFIED, note="Geen geldig ticket"
    )
    assert dossier.status == S.NOTIFIED
    assert dossier.timeline.order_by("-id").first().kind == TimelineEventKind.DECIDED_REJECTED


def test_an_upheld_contest_cancels_the_retribution_and_nothing_is_due(party):
    dossier = DossierFactory(party=party, contested=True)
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.CANCELLED)
    assert dossier.amount_due_cents == 0
    assert dossier.timeline.order_by("-id").first().kind == TimelineEventKind.DECIDED_UPHELD


@pytest.mark.parametrize(("category", "cents"), [(1, 5800), (2, 11600)])
def test_gas4_amount_is_fixed_by_category(party, category, cents):
    dossier = DossierFactory(party=party, kind=DossierKind.GAS4, gas_category=category, notified=True)
    assert dossier.amount_original_cents == cents


@pytest.mark.parametrize(
    ("limit", "speed", "built_up", "cents"),
    [
        (30, 45, True, 10800),  # domain.md: 45 km/h corrected in zone 30 = €108 inside
        (30, 45, False, 8300),  # … and €83 outside the built-up area
        (50, 58, True, 5300),  # within the first 10 km/h: the base amount only
        (50, 60, True, 5300),
        (50, 61, False, 5900),
    ],
)
def test_gas5_amount_follows_the_law(party, limit, speed, built_up, cents):
    dossier = DossierFactory(
        party=party,
        kind=DossierKind.GAS5,
        speed_limit_kmh=limit,
        measured_speed_kmh=speed,
        built_up_area=built_up,
    )
    assert dossier.amount_original_cents == cents


@pytest.mark.parametrize("kind", [DossierKind.GAS4, DossierKind.GAS5])
def test_gas_gives_thirty_days_to_pay_or_defend(party, kind):
    dossier = DossierFactory(party=party, kind=kind, notified=True)
    today = timezone.localdate()
    assert dossier.pay_by == today + dt.timedelta(days=30)
    assert dossier.contest_by == today + dt.timedelta(days=30)


def test_an_unfounded_gas_defence_gives_a_new_thirty_days_to_pay(party):
    dossier = DossierFactory(party=party, kind=DossierKind.GAS4, defence=True)
    assert dossier.policy.is_on_hold(dossier)
    later = timezone.now() + dt.timedelta(days=20)
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.NOTIFIED, at=later)
    assert dossier.pay_by == timezone.localdate(later) + dt.timedelta(days=30)


def test_gas_unpaid_path_reminder_then_enforceable_without_costs(party):
    dossier = DossierFactory(party=party, kind=DossierKind.GAS4, notified=True)
    dossier.regulation.reminder_cost_cents = 0
    dossier.regulation.save()
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.REMINDED)
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.ENFORCEABLE)
    assert dossier.amount_due_cents == 5800


@pytest.mark.parametrize(
    "kind", [DossierKind.RESIDENT_PERMIT, DossierKind.EMPLOYEE_PERMIT, DossierKind.IOD_PERMIT]
)
def test_permits_are_requested_then_active_then_expired(party, kind):
    dossier = DossierFactory(party=party, kind=kind, occurred_at=None)
    assert dossier.status == S.REQUESTED
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.ACTIVE)
    dossier = services.dossier_transition(dossier_id=dossier.pk, to_status=S.EXPIRED)
    assert dossier.policy.is_closed(dossier)
    with pytest.raises(services.TransitionNotAllowed):
        services.dossier_transition(dossier_id=dossier.pk, to_status=S.ACTIVE)


def test_a_revoked_permit_cannot_become_active_again(party):
    dossier = DossierFactory(party=party, kind=DossierKind.RESIDENT_PERMIT, active=True)
    services.dossier_transition(dossier_id=dossier.pk, to_status=S.REVOKED)
    with pytest.raises(services.TransitionNotAllowed):
        services.dossier_transition(dossier_id=dossier.pk, to_status=S.ACTIVE)


def test_citizen_actions_depend_on_status_and_amount(party):
    dossier = DossierFactory(party=party, notified=True)
    assert "pay" in dossier.policy.citizen_actions(dossier)
    paid = DossierFactory(party=party, paid=True)
    assert "pay" not in paid.policy.citizen_actions(paid)
    gas = DossierFactory(party=party, kind=DossierKind.GAS4, notified=True)
    assert "defend" in gas.policy.citizen_actions(gas)
    assert "contest" not in gas.policy.citizen_actions(gas)
