"""Per-kind policy objects: transitions, deadlines, costs, citizen actions and the legal basis.

One ``DossierPolicy`` per kind, looked up with ``policy_for(kind)``. Terms and costs come from the
dossier's ``Regulation`` (configuration per organisation and regulation version), never from here.
The transition table maps (from, to) to the timeline event the change writes; a pair that is not in
the table is refused by ``eloket.services.dossier_transition``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext as _

from eloket.constants import CitizenAction as A
from eloket.constants import Decision, DossierKind
from eloket.constants import DossierStatus as S
from eloket.constants import TimelineEventKind as E
from eloket.money import format_eur

if TYPE_CHECKING:
    from eloket.models import Dossier


@dataclass(frozen=True)
class StepUp:
    """The next change of the amount due: from ``on`` the citizen owes ``amount_cents``."""

    on: dt.date
    amount_cents: int
    reason: str


class DossierPolicy:
    kind: ClassVar[str]
    initial_status: ClassVar[str]
    transitions: ClassVar[dict[tuple[str, str], str]]
    on_hold_statuses: ClassVar[frozenset[str]] = frozenset()
    closed_statuses: ClassVar[frozenset[str]] = frozenset()
    actions_by_status: ClassVar[dict[str, tuple[str, ...]]] = {}
    # The status a contest (retribution) or defence (GAS) puts the dossier in: on hold until decided.
    contest_status: ClassVar[str | None] = None
    # Whether a decision may lower the amount (not for GAS: the law fixes it).
    amount_may_change: ClassVar[bool] = False
    # Whether the citizen may appeal a decision to the police court (GAS: within one month of its
    # notification). The e-loket shows the route; it does not handle the appeal.
    appeal_to_police_court: ClassVar[bool] = False
    # The fine above which a defence may ask for an oral hearing (None: never).
    oral_hearing_above_cents: ClassVar[int | None] = None

    def event_for(self, from_status: str, to_status: str) -> str | None:
        return self.transitions.get((from_status, to_status))

    def statuses(self) -> set[str]:
        return {s for pair in self.transitions for s in pair}

    def is_on_hold(self, dossier: Dossier) -> bool:
        return dossier.status in self.on_hold_statuses

    def is_closed(self, dossier: Dossier) -> bool:
        return dossier.status in self.closed_statuses

    def oral_hearing_allowed(self, dossier: Dossier) -> bool:
        """Whether a defence of this dossier may ask to be heard orally (GAS law: fines above 70 euro)."""
        threshold = self.oral_hearing_above_cents
        return threshold is not None and dossier.amount_original_cents > threshold

    def citizen_actions(self, dossier: Dossier) -> tuple[str, ...]:
        actions = self.actions_by_status.get(dossier.status, ())
        if dossier.amount_due_cents == 0:
            actions = tuple(a for a in actions if a != A.PAY)
        return actions

    def decision_target(self, dossier: Dossier, decision: str, amount_due_after_cents: int) -> str:
        """The status a decision on the open contest or defence moves the dossier to."""
        if decision == Decision.UPHELD:
            return S.CANCELLED
        if amount_due_after_cents == 0 and self.event_for(dossier.status, S.PAID):
            return S.PAID
        return S.NOTIFIED

    def apply_entry(self, dossier: Dossier, to_status: str, today: dt.date) -> None:
        """Deadlines and costs that change when the dossier enters ``to_status`` (before it is saved)."""
        regulation = dossier.regulation
        if regulation is None:
            return
        if to_status == S.NOTIFIED:
            dossier.pay_by = today + dt.timedelta(days=regulation.pay_term_days)
            if dossier.contest_by is None:
                dossier.contest_by = today + dt.timedelta(days=regulation.contest_term_days)
        elif to_status == S.REMINDED:
            dossier.costs_cents += regulation.reminder_cost_cents
            dossier.pay_by = today + dt.timedelta(days=regulation.reminder_term_days)
        elif to_status == S.FORMAL_NOTICE:
            dossier.costs_cents += regulation.formal_notice_cost_cents
            dossier.pay_by = today + dt.timedelta(days=regulation.formal_notice_term_days)

    def next_step_up(self, dossier: Dossier, today: dt.date) -> StepUp | None:
        return None

    def compute_amount_cents(self, dossier: Dossier) -> int | None:
        """The amount fixed by the regulation for these facts, or None when the source system sets it."""
        return None

    def legal_basis(self, dossier: Dossier) -> str:
        raise NotImplementedError


class RetributionPolicy(DossierPolicy):
    kind = DossierKind.PARKING_RETRIBUTION
    initial_status = S.ISSUED
    transitions = {
        (S.ISSUED, S.NOTIFIED): E.NOTIFIED,
        (S.ISSUED, S.CANCELLED): E.CANCELLED,
        (S.ISSUED, S.CANCELLED_BY_PERMIT): E.CANCELLED_BY_PERMIT,
        (S.ISSUED, S.CANCELLED_BY_SESSION): E.CANCELLED_BY_SESSION,
        (S.NOTIFIED, S.PAID): E.PAID,
        (S.NOTIFIED, S.CONTESTED): E.CONTESTED,
        (S.NOTIFIED, S.REMINDED): E.REMINDER,
        (S.NOTIFIED, S.CANCELLED): E.CANCELLED,
        (S.NOTIFIED, S.CANCELLED_BY_PERMIT): E.CANCELLED_BY_PERMIT,
        (S.NOTIFIED, S.CANCELLED_BY_SESSION): E.CANCELLED_BY_SESSION,
        (S.REMINDED, S.PAID): E.PAID,
        (S.REMINDED, S.CONTESTED): E.CONTESTED,
        (S.REMINDED, S.FORMAL_NOTICE): E.FORMAL_NOTICE,
        (S.REMINDED, S.CANCELLED): E.CANCELLED,
        (S.REMINDED, S.CANCELLED_BY_PERMIT): E.CANCELLED_BY_PERMIT,
        (S.REMINDED, S.CANCELLED_BY_SESSION): E.CANCELLED_BY_SESSION,
        (S.FORMAL_NOTICE, S.PAID): E.PAID,
        (S.FORMAL_NOTICE, S.CONTESTED): E.CONTESTED,
        # Only an undisputed debt may be handed to collection (dwangbevel): not from CONTESTED.
        (S.FORMAL_NOTICE, S.IN_COLLECTION): E.COLLECTION,
        (S.FORMAL_NOTICE, S.CANCELLED): E.CANCELLED,
        (S.FORMAL_NOTICE, S.CANCELLED_BY_PERMIT): E.CANCELLED_BY_PERMIT,
        (S.FORMAL_NOTICE, S.CANCELLED_BY_SESSION): E.CANCELLED_BY_SESSION,
        (S.IN_COLLECTION, S.PAID): E.PAID,
        (S.IN_COLLECTION, S.CANCELLED): E.CANCELLED,
        (S.CONTESTED, S.CANCELLED): E.DECIDED_UPHELD,
        (S.CONTESTED, S.NOTIFIED): E.DECIDED_REJECTED,
        (S.CONTESTED, S.PAID): E.DECIDED_REJECTED,
        (S.CONTESTED, S.CANCELLED_BY_PERMIT): E.CANCELLED_BY_PERMIT,
        (S.PAID, S.CONTESTED): E.CONTESTED,
        (S.PAID, S.CANCELLED): E.CANCELLED,
        # A session reported late covers a retribution already paid: cancelled, and refunded.
        (S.PAID, S.CANCELLED_BY_SESSION): E.CANCELLED_BY_SESSION,
    }
    on_hold_statuses = frozenset({S.CONTESTED})
    contest_status = S.CONTESTED
    amount_may_change = True
    closed_statuses = frozenset({S.PAID, S.CANCELLED, S.CANCELLED_BY_PERMIT, S.CANCELLED_BY_SESSION})
    actions_by_status = {
        S.NOTIFIED: (A.PAY, A.CONTEST, A.ASK),
        S.REMINDED: (A.PAY, A.CONTEST, A.ASK),
        S.FORMAL_NOTICE: (A.PAY, A.CONTEST, A.ASK),
        S.IN_COLLECTION: (A.PAY, A.ASK),
        S.CONTESTED: (A.ASK,),
        S.PAID: (A.CONTEST, A.ASK),
        S.CANCELLED: (A.ASK,),
        S.CANCELLED_BY_PERMIT: (A.ASK,),
        S.CANCELLED_BY_SESSION: (A.ASK,),
    }

    def next_step_up(self, dossier: Dossier, today: dt.date) -> StepUp | None:
        regulation = dossier.regulation
        if regulation is None or dossier.pay_by is None or dossier.amount_due_cents == 0:
            return None
        if dossier.status == S.NOTIFIED and regulation.reminder_cost_cents:
            cost, reason = regulation.reminder_cost_cents, _("kosten van de herinnering")
        elif dossier.status == S.REMINDED and regulation.formal_notice_cost_cents:
            cost, reason = regulation.formal_notice_cost_cents, _("kosten van de aangetekende aanmaning")
        else:
            return None
        return StepUp(
            on=dossier.pay_by + dt.timedelta(days=1),
            amount_cents=dossier.amount_due_cents + cost,
            reason=reason,
        )

    def compute_amount_cents(self, dossier: Dossier) -> int | None:
        forfait = (dossier.regulation.tariff or {}).get("forfait") if dossier.regulation else None
        return int(forfait) if forfait is not None else None

    def legal_basis(self, dossier: Dossier) -> str:
        return _(
            "Een parkeerretributie is een gemeentelijke vergoeding voor het parkeren, geen boete. "
            "Ze volgt uit het reglement %(regulation)s. Wie niet op tijd betaalt, krijgt eerst een "
            "herinnering en daarna een aangetekende aanmaning; daarvoor kunnen kosten aangerekend worden. "
            "Betwist u de retributie, dan wordt ze niet verder ingevorderd tot er een beslissing is."
        ) % {"regulation": _regulation_label(dossier)}


class GasPolicy(DossierPolicy):
    """GAS 4 and GAS 5 share the special procedure of the GAS law (30 days to pay or defend)."""

    initial_status = S.ISSUED
    transitions = {
        (S.ISSUED, S.NOTIFIED): E.NOTIFIED,
        (S.ISSUED, S.CANCELLED): E.CANCELLED,
        (S.NOTIFIED, S.PAID): E.PAID,
        (S.NOTIFIED, S.DEFENCE): E.DEFENCE,
        (S.NOTIFIED, S.REMINDED): E.REMINDER,
        (S.NOTIFIED, S.CANCELLED): E.CANCELLED,
        (S.DEFENCE, S.CANCELLED): E.DECIDED_UPHELD,
        (S.DEFENCE, S.NOTIFIED): E.DECIDED_REJECTED,
        (S.REMINDED, S.PAID): E.PAID,
        (S.REMINDED, S.ENFORCEABLE): E.ENFORCEABLE,
        (S.REMINDED, S.CANCELLED): E.CANCELLED,
        (S.ENFORCEABLE, S.PAID): E.PAID,
        (S.ENFORCEABLE, S.CANCELLED): E.CANCELLED,
        (S.PAID, S.CANCELLED): E.CANCELLED,
    }
    on_hold_statuses = frozenset({S.DEFENCE})
    contest_status = S.DEFENCE
    appeal_to_police_court = True
    # The GAS law (24 June 2013): above 70 euro the offender may present the defence orally.
    oral_hearing_above_cents = 7000
    closed_statuses = frozenset({S.PAID, S.CANCELLED})
    actions_by_status = {
        S.NOTIFIED: (A.PAY, A.DEFEND, A.NAME_DRIVER, A.ASK),
        S.REMINDED: (A.PAY, A.ASK),
        S.ENFORCEABLE: (A.PAY, A.ASK),
        S.DEFENCE: (A.ASK,),
        S.PAID: (A.ASK,),
        S.CANCELLED: (A.ASK,),
    }

    def apply_entry(self, dossier: Dossier, to_status: str, today: dt.date) -> None:
        regulation = dossier.regulation
        if regulation is not None and to_status == S.NOTIFIED and dossier.status == S.DEFENCE:
            # Defence found unfounded: a motivated decision and a new term to pay; no new defence term.
            dossier.pay_by = today + dt.timedelta(days=regulation.pay_term_days)
            return
        super().apply_entry(dossier, to_status, today)


class Gas4Policy(GasPolicy):
    kind = DossierKind.GAS4

    def compute_amount_cents(self, dossier: Dossier) -> int | None:
        tariff = dossier.regulation.tariff if dossier.regulation else {}
        amount = tariff.get(f"category_{dossier.gas_category}")
        return int(amount) if amount is not None else None

    def legal_basis(self, dossier: Dossier) -> str:
        return _(
            "Een GAS 4-boete is een gemeentelijke administratieve sanctie voor foutief stilstaan of "
            "parkeren, of voor het negeren van de borden C3 of F103 vastgesteld door een camera (wet van "
            "24 juni 2013 en koninklijk besluit van 9 maart 2014). Het bedrag ligt vast bij wet: categorie "
            "%(category)s, %(amount)s. U hebt 30 dagen om te betalen of een verweer in te dienen; boven "
            "70 euro kunt u vragen om gehoord te worden. Tegen de beslissing van de sanctionerend "
            "ambtenaar kunt u binnen een maand beroep instellen bij de politierechtbank."
        ) % {"category": dossier.gas_category or "?", "amount": format_eur(dossier.amount_original_cents)}


class Gas5Policy(GasPolicy):
    kind = DossierKind.GAS5

    def compute_amount_cents(self, dossier: Dossier) -> int | None:
        tariff = dossier.regulation.tariff if dossier.regulation else {}
        if not tariff or dossier.measured_speed_kmh is None or dossier.speed_limit_kmh is None:
            return None
        over = dossier.measured_speed_kmh - dossier.speed_limit_kmh
        if over <= 0:
            return None
        extra_kmh = max(over - int(tariff["base_kmh"]), 0)
        per_kmh = tariff["per_kmh_inside"] if dossier.built_up_area else tariff["per_kmh_outside"]
        return int(tariff["base"]) + extra_kmh * int(per_kmh)

    def legal_basis(self, dossier: Dossier) -> str:
        return _(
            "Een GAS 5-boete is een gemeentelijke administratieve sanctie voor een beperkte "
            "snelheidsovertreding in een zone 30 of 50, vastgesteld met een automatisch toestel (artikel "
            "29quater van de Wegverkeerswet). Gemeten snelheid na correctie: %(speed)s km/u waar "
            "%(limit)s km/u geldt. Het bedrag ligt vast bij wet: 53 euro voor de eerste 10 km/u te snel en "
            "daarna 6 euro per km/u (11 euro binnen de bebouwde kom). U hebt 30 dagen om te betalen of een "
            "verweer in te dienen. Tegen de beslissing kunt u binnen een maand beroep instellen bij de "
            "politierechtbank."
        ) % {"speed": dossier.measured_speed_kmh or "?", "limit": dossier.speed_limit_kmh or "?"}


class PermitPolicy(DossierPolicy):
    initial_status = S.REQUESTED
    transitions = {
        (S.REQUESTED, S.ACTIVE): E.PERMIT_GRANTED,
        (S.REQUESTED, S.REVOKED): E.PERMIT_REVOKED,
        (S.ACTIVE, S.EXPIRED): E.PERMIT_EXPIRED,
        (S.ACTIVE, S.REVOKED): E.PERMIT_REVOKED,
    }
    closed_statuses = frozenset({S.EXPIRED, S.REVOKED})
    actions_by_status = {
        S.REQUESTED: (A.PAY, A.ASK),
        S.ACTIVE: (A.PAY, A.ASK),
        S.EXPIRED: (A.ASK,),
        S.REVOKED: (A.ASK,),
    }

    def apply_entry(self, dossier: Dossier, to_status: str, today: dt.date) -> None:
        if to_status == S.ACTIVE and dossier.amount_due_cents and dossier.regulation is not None:
            dossier.pay_by = today + dt.timedelta(days=dossier.regulation.pay_term_days)

    def compute_amount_cents(self, dossier: Dossier) -> int | None:
        fee = (dossier.regulation.tariff or {}).get("fee") if dossier.regulation else None
        return int(fee) if fee is not None else None

    def legal_basis(self, dossier: Dossier) -> str:
        return self.description % {"regulation": _regulation_label(dossier)}


class ResidentPermitPolicy(PermitPolicy):
    kind = DossierKind.RESIDENT_PERMIT

    @property
    def description(self) -> str:
        return _(
            "Met een bewonerskaart parkeert u in uw eigen zone zonder parkeerticket, enkel met de "
            "nummerplaat die op de kaart staat. Regels en prijs staan in het reglement %(regulation)s."
        )


class EmployeePermitPolicy(PermitPolicy):
    kind = DossierKind.EMPLOYEE_PERMIT

    @property
    def description(self) -> str:
        return _(
            "Met een werknemersvergunning parkeert u in de zone van uw werkplaats, enkel met de "
            "nummerplaten op de vergunning. Regels en prijs staan in het reglement %(regulation)s."
        )


class IodPermitPolicy(PermitPolicy):
    kind = DossierKind.IOD_PERMIT

    @property
    def description(self) -> str:
        return _(
            "Met een vergunning voor inname van het openbaar domein mag u een deel van de straat "
            "gebruiken (bijvoorbeeld voor een verhuis of werken) op de plaats en in de periode van de "
            "vergunning; voertuigen met de vermelde nummerplaten mogen daar parkeren. Regels staan in "
            "het reglement %(regulation)s."
        )


def _regulation_label(dossier: Dossier) -> str:
    regulation = dossier.regulation
    if regulation is None:
        return _("van de gemeente")
    return f"{regulation.code} ({regulation.title})"


_REGISTRY: dict[str, DossierPolicy] = {}


def register(policy: DossierPolicy) -> None:
    _REGISTRY[policy.kind] = policy


def policy_for(kind: str) -> DossierPolicy:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no policy registered for dossier kind {kind!r}") from None


def registered_kinds() -> list[str]:
    return list(_REGISTRY)


for _policy in (
    RetributionPolicy(),
    Gas4Policy(),
    Gas5Policy(),
    ResidentPermitPolicy(),
    EmployeePermitPolicy(),
    IodPermitPolicy(),
):
    register(_policy)
