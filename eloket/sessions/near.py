"""Near matches for a contest that says "I had paid by app": the sessions that *nearly* cover a parking
retribution, put before the clerk with the evidence side by side, and accepted in one step.

The rules are those of ``eloket.sessions`` (same municipality, the retribution's area by its zone code
or one of its streets, the grace minutes of the retribution's regulation). A session is near when it

- has the same plate, in a **neighbouring area** (``ParkingArea.neighbours``) of the same
  municipality, at a covering time (``neighbouring_area``); or
- has the same plate, in the same area, and **starts late**: after the grace, but at most
  ``Regulation.session_near_minutes`` after it (``late_start``); or
- has a plate **one confusable character away** (``CONFUSABLE_PAIRS``: one substitution), in the same
  or a neighbouring area, at a covering or late time (``plate_confusion``).

An exact match (same plate, same area, covering time) is never near: the session cross-check has
already cancelled that retribution. The search is one indexed query on ``(municipality,
plate_normalised, start_at)`` with the plate and its variants in one ``IN``, bounded in time like the
rights check (``MAX_DURATION``). Without a regulation there is no grace and no late window.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from eloket.constants import DossierKind
from eloket.models import Dossier
from eloket.models.parking import ParkingArea, ParkingSession, SessionNearMatch
from eloket.places import zone_code_normalise
from eloket.sessions.validate import MAX_DURATION

logger = logging.getLogger(__name__)

# Characters a plate is often typed with instead of the other (an O for a 0 …): one substitution.
CONFUSABLE_PAIRS: tuple[tuple[str, str], ...] = (
    ("O", "0"),
    ("I", "1"),
    ("B", "8"),
    ("S", "5"),
    ("Z", "2"),
    ("G", "6"),
    ("D", "0"),
)
MAX_NEAR_MATCHES = 5

NEIGHBOURING_AREA = "neighbouring_area"
LATE_START = "late_start"
PLATE_CONFUSION = "plate_confusion"


def _substitutes() -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for first, second in CONFUSABLE_PAIRS:
        found.setdefault(first, set()).add(second)
        found.setdefault(second, set()).add(first)
    return {char: tuple(sorted(others)) for char, others in found.items()}


_SUBSTITUTES = _substitutes()


def plate_variants(plate_normalised: str) -> dict[str, int]:
    """Every plate one confusable substitution away → the position (0-based) that differs."""
    variants: dict[str, int] = {}
    for position, char in enumerate(plate_normalised):
        for other in _SUBSTITUTES.get(char, ()):
            variant = f"{plate_normalised[:position]}{other}{plate_normalised[position + 1 :]}"
            variants.setdefault(variant, position)
    variants.pop(plate_normalised, None)
    return variants


@dataclass
class _Candidate:
    session: ParkingSession
    reasons: list[dict] = field(default_factory=list)
    minutes_late: int = 0
    distance_s: float = 0.0  # from the session's start to the observation

    def rank(self) -> tuple:
        # Fewest differences first, then the least late, then the session started closest to the time.
        return (len(self.reasons), self.minutes_late, self.distance_s, self.session.pk)


def dossier_areas(*, dossier: Dossier) -> dict[int, str]:
    """The areas the retribution is in (id → code): the area whose code is its zone, or whose streets
    hold its street (``eloket.sessions``)."""
    zone = zone_code_normalise(dossier.zone_code)
    place = Q()
    if zone:
        place |= Q(code=zone)
    if dossier.street_key:
        place |= Q(street_keys__street_key=dossier.street_key)
    if not place:
        return {}
    areas = ParkingArea.objects.filter(place, municipality_id=dossier.municipality_id)
    return dict(areas.values_list("id", "code").distinct())


def _neighbour_ids(*, municipality_id: int, area_ids: list[int]) -> list[int]:
    neighbours = ParkingArea.objects.filter(neighbours__in=area_ids, municipality_id=municipality_id)
    return sorted(set(neighbours.values_list("id", flat=True)) - set(area_ids))


def _minutes(delta: dt.timedelta) -> int:
    return math.ceil(delta.total_seconds() / 60)


def _time_reason(session: ParkingSession, at: dt.datetime, grace: dt.timedelta, near: dt.timedelta):
    """Whether the session covers the observation ("covering"), starts after the grace but within the
    near window ("late", with the minutes after the observation), or neither (None)."""
    if session.start_at - grace <= at and (session.end_at is None or at <= session.end_at + grace):
        return "covering", 0
    if near and at + grace < session.start_at <= at + grace + near:
        return "late", _minutes(session.start_at - at)
    return None, 0


def near_candidates(*, dossier: Dossier) -> list[_Candidate]:
    """The near sessions of a parking retribution, best first, at most ``MAX_NEAR_MATCHES``; nothing is
    written. Exact matches are left out."""
    at, plate = dossier.occurred_at, dossier.plate_normalised
    if dossier.kind != DossierKind.PARKING_RETRIBUTION or at is None or not plate:
        return []
    own = dossier_areas(dossier=dossier)
    if not own:
        return []
    neighbours = _neighbour_ids(municipality_id=dossier.municipality_id, area_ids=list(own))
    regulation = dossier.regulation
    grace = dt.timedelta(minutes=regulation.session_grace_minutes if regulation else 0)
    near = dt.timedelta(minutes=regulation.session_near_minutes if regulation else 0)
    variants = plate_variants(plate)
    sessions = (
        ParkingSession.objects.filter(
            municipality_id=dossier.municipality_id,
            plate_normalised__in=[plate, *sorted(variants)],
            start_at__gte=at - MAX_DURATION - grace,
            start_at__lte=at + grace + near,
            area_id__in=[*own, *neighbours],
        )
        .filter(Q(end_at__isnull=True) | Q(end_at__gte=at - grace))
        .select_related("provider", "area")
        .order_by("start_at", "id")
    )
    candidates = []
    for session in sessions:
        candidate = _classify(session, dossier=dossier, own=own, variants=variants, grace=grace, near=near)
        if candidate is not None:
            candidates.append(candidate)
    candidates.sort(key=_Candidate.rank)
    return candidates[:MAX_NEAR_MATCHES]


def _classify(session, *, dossier, own, variants, grace, near) -> _Candidate | None:
    timing, minutes_late = _time_reason(session, dossier.occurred_at, grace, near)
    same_plate = session.plate_normalised == dossier.plate_normalised
    same_area = session.area_id in own
    if timing is None or (same_plate and same_area and timing == "covering"):
        return None  # not near, or exact (the cross-check's)
    if same_plate and not same_area and timing != "covering":
        return None  # a neighbouring area counts at a covering time only
    distance = abs((session.start_at - dossier.occurred_at).total_seconds())
    candidate = _Candidate(session=session, minutes_late=minutes_late, distance_s=distance)
    if not same_plate:
        candidate.reasons.append(
            {
                "code": PLATE_CONFUSION,
                "dossier_plate": dossier.plate_normalised,
                "session_plate": session.plate_normalised,
                "position": variants[session.plate_normalised],
            }
        )
    if not same_area:
        candidate.reasons.append(
            {
                "code": NEIGHBOURING_AREA,
                "dossier_areas": sorted(own.values()),
                "session_area": session.area_code,
            }
        )
    if timing == "late":
        candidate.reasons.append(
            {
                "code": LATE_START,
                "minutes_late": minutes_late,
                "grace_minutes": _minutes(grace),
                "near_minutes": _minutes(near),
            }
        )
    return candidate


def near_matches_find(*, dossier: Dossier) -> list[SessionNearMatch]:
    """Find and store the near sessions of a parking retribution (``SessionNearMatch``, one row per
    dossier and session), best first. Idempotent: a second run updates the reasons of the same rows and
    adds none; rows found earlier stay (an accepted one among them). Side effects: those rows only."""
    candidates = near_candidates(dossier=dossier)
    if not candidates:
        return []
    with transaction.atomic():
        SessionNearMatch.objects.bulk_create(
            [
                SessionNearMatch(dossier_id=dossier.pk, session=candidate.session, reasons=candidate.reasons)
                for candidate in candidates
            ],
            update_conflicts=True,
            unique_fields=["dossier", "session"],
            update_fields=["reasons"],
        )
        rows = {
            row.session_id: row
            for row in SessionNearMatch.objects.filter(
                dossier_id=dossier.pk, session_id__in=[c.session.pk for c in candidates]
            )
        }
    found = []
    for candidate in candidates:
        row = rows[candidate.session.pk]
        row.session = candidate.session  # with its provider and area, already read
        found.append(row)
    logger.info("session_near_matches_found dossier=%s count=%s", dossier.pk, len(found))
    return found


def near_matches_for_dossier(*, dossier: Dossier) -> list[SessionNearMatch]:
    """The stored near matches of a dossier, best first (callers scope the dossier: the clerk's
    submission, ``forms.inbox``)."""
    rows = list(
        SessionNearMatch.objects.filter(dossier_id=dossier.pk).select_related(
            "session__provider", "session__area", "accepted_by"
        )
    )
    rows.sort(key=lambda row: (row.accepted_at is None, len(row.reasons), _late(row), row.session.start_at))
    return rows


def _late(row: SessionNearMatch) -> int:
    return next((r.get("minutes_late", 0) for r in row.reasons if r.get("code") == LATE_START), 0)
