"""The decision on a dossier's contest (bezwaar) or defence (verweer), as the citizen reads it.

A selector, scoped like every read of citizen data to the acting party. It reads the dossier's
timeline: the decision event is written by ``eloket.services.dossier_decide`` whichever way the
decision came (a clerk in the e-loket through ``forms.triage.submission_decide``, or a city system
through the API), with the motivation as its note. What happens next follows from the dossier as it
is now (still to pay, paid, refunded) and from its kind's policy (the appeal route).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from eloket.constants import Decision, DossierStatus, TimelineEventKind, labels
from eloket.models import Dossier, Party

DECISION_EVENTS = {
    TimelineEventKind.DECIDED_UPHELD: Decision.UPHELD,
    TimelineEventKind.DECIDED_PARTLY: Decision.PARTLY_UPHELD,
    TimelineEventKind.DECIDED_REJECTED: Decision.REJECTED,
}


@dataclass(frozen=True)
class DossierDecision:
    """The latest decision on a dossier and what it means for the citizen now."""

    outcome: str  # a ``Decision`` value
    outcome_label: str
    motivation: str
    decided_at: dt.datetime
    is_defence: bool  # a GAS defence (verweer), else a contest (bezwaar)
    new_amount_cents: int | None  # partly upheld: the amount it became
    refund_cents: int  # money paid that is given back
    refunded: bool  # the refund went through since the decision
    amount_due_cents: int  # still to pay now
    pay_by: dt.date | None
    appeal_to_police_court: bool

    @property
    def upheld(self) -> bool:
        return self.outcome == Decision.UPHELD


def dossier_decision_get(*, party: Party | None, dossier: Dossier) -> DossierDecision | None:
    """The decision on ``dossier`` for ``party``, or None when there is none to show: never decided,
    or a new contest or defence is open (the dossier is on hold again and waits for the next one).

    Another party's dossier is a 404, like every read of citizen data."""
    if party is None or dossier.party_id != party.pk:
        raise Http404
    policy = dossier.policy
    if policy.is_on_hold(dossier):
        return None
    events = list(
        dossier.timeline.filter(
            dossier__party=party, kind__in=[*DECISION_EVENTS, TimelineEventKind.REFUNDED]
        ).order_by("-occurred_at", "-id")
    )
    decision = next((event for event in events if event.kind in DECISION_EVENTS), None)
    if decision is None:
        return None
    outcome = DECISION_EVENTS[decision.kind]
    data = decision.data or {}
    refunded = any(
        event.kind == TimelineEventKind.REFUNDED and event.occurred_at >= decision.occurred_at
        for event in events
    )
    amount_due = dossier.amount_due_cents
    return DossierDecision(
        outcome=outcome,
        outcome_label=labels(Decision)[outcome],
        motivation=decision.note,
        decided_at=decision.occurred_at,
        is_defence=policy.contest_status == DossierStatus.DEFENCE,
        new_amount_cents=data.get("amount_to_cents") if outcome == Decision.PARTLY_UPHELD else None,
        refund_cents=int(data.get("refund_due_cents") or 0),
        refunded=refunded,
        amount_due_cents=amount_due,
        pay_by=dossier.pay_by if amount_due else None,
        # Only a decision that keeps a sanction can be appealed: a founded defence closed the dossier.
        appeal_to_police_court=policy.appeal_to_police_court and outcome != Decision.UPHELD,
    )
