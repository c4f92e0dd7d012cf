"""Reads of parking sessions for the citizen, scoped to the acting party (``eloket.selectors``)."""

from __future__ import annotations

from django.db.models import QuerySet

from eloket.models import Dossier, Party
from eloket.models.parking import ParkingSession, SessionMatch

# What the citizen's pages show of a session (and the names of its provider, municipality and area in
# every language, for the visitor's).
_NAMES = ("name_nl", "name_fr", "name_en", "name_de")
SESSION_COLUMNS = (
    "id", "party_id", "plate", "start_at", "end_at", "amount_paid_cents", "area_code",
    *(f"provider__{name}" for name in ("id", *_NAMES)),
    *(f"municipality__{name}" for name in ("id", *_NAMES)),
    *(f"area__{name}" for name in ("id", "code", *_NAMES)),
)  # fmt: skip


def parking_sessions_for_party(*, party: Party, limit: int | None = None) -> QuerySet[ParkingSession]:
    """The sessions that carry this party's identifier, in every municipality, newest first (index
    ``parking_session_party``). Another party's sessions are never in it."""
    queryset = (
        ParkingSession.objects.filter(party=party)
        .select_related("provider", "municipality", "area")
        .only(*SESSION_COLUMNS)
        .order_by("-start_at", "-id")
    )
    return queryset[:limit] if limit is not None else queryset


def session_match_for_dossier(*, dossier: Dossier) -> SessionMatch | None:
    """The session that cancelled this dossier, if one did. The dossier comes from a selector scoped to
    the acting party (``eloket.selectors.dossier_get``); the session is shown only as its match."""
    return (
        SessionMatch.objects.filter(dossier=dossier)
        .select_related("session__provider", "session__area")
        .first()
    )
