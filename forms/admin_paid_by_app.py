"""The clerk's box "Mogelijk betaald via app of sms" on a contest of a parking retribution: the
retribution and each near session side by side (``eloket.sessions.near``), the differences spelled out
in words, and "Aanvaarden: retributie annuleren", which decides the contest upheld in one step.

Reads go through the clerk's submission (``forms.inbox.submission_get_for_clerk``: another
organisation's is a 404); the write is ``forms.paid_by_app.near_match_accept``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eloket.constants import DossierKind
from eloket.models.parking import SessionNearMatch
from eloket.money import format_eur
from eloket.sessions.near import (
    LATE_START,
    NEIGHBOURING_AREA,
    PLATE_CONFUSION,
    near_matches_find,
)
from forms import inbox
from forms.constants import OPEN_STATUSES, Purpose
from forms.forms import PAID_BY_APP, PAID_BY_APP_PROVIDER
from forms.paid_by_app import local_time_text, near_match_accept


@dataclass(frozen=True)
class PlateChar:
    char: str
    differs: bool


@dataclass(frozen=True)
class NearRow:
    """One near session, its texts made here so the template only lays them out."""

    pk: int
    provider: str
    session_id: str
    plate: str
    plate_chars: list[PlateChar]
    plate_differs: bool
    plate_note: str
    area: str
    area_note: str
    start: str
    end: str
    time_note: str
    amount: str
    reasons: list[str]
    accepted: str


@dataclass(frozen=True)
class PaidByAppBox:
    said_yes: bool
    provider_named: str
    plate: str
    place: str
    observed_at: str
    amount: str
    rows: list[NearRow]
    can_accept: bool
    can_search: bool


def _plate_chars(dossier_plate: str, session_plate: str) -> list[PlateChar]:
    if len(dossier_plate) != len(session_plate):
        return [PlateChar(char, False) for char in session_plate]
    return [PlateChar(b, a != b) for a, b in zip(dossier_plate, session_plate, strict=True)]


def _reason_texts(reasons: list[dict]) -> tuple[list[str], dict[str, str]]:
    """Every reason as a sentence, and the note per compared fact ("plate", "area", "time")."""
    texts, notes = [], {}
    for reason in reasons:
        code = reason.get("code")
        if code == PLATE_CONFUSION:
            position = reason.get("position", 0)
            dossier_plate, session_plate = reason.get("dossier_plate", ""), reason.get("session_plate", "")
            notes["plate"] = _("Verschilt: %(session)s in plaats van %(dossier)s (teken %(position)s)") % {
                "session": session_plate[position : position + 1],
                "dossier": dossier_plate[position : position + 1],
                "position": position + 1,
            }
            texts.append(_("Nummerplaat één verwisselbaar teken anders"))
        elif code == NEIGHBOURING_AREA:
            notes["area"] = _("Verschilt: aangrenzende zone van %(areas)s") % {
                "areas": ", ".join(reason.get("dossier_areas", [])) or "—"
            }
            texts.append(_("Aangrenzende zone van dezelfde gemeente"))
        elif code == LATE_START:
            notes["time"] = _(
                "Verschilt: gestart %(minutes)s minuten na de vaststelling (wachttijd %(grace)s minuten)"
            ) % {"minutes": reason.get("minutes_late", 0), "grace": reason.get("grace_minutes", 0)}
            texts.append(_("Sessie kort na de vaststelling gestart"))
    return texts, notes


def _row(near_match: SessionNearMatch, *, dossier_plate: str) -> NearRow:
    session = near_match.session
    texts, notes = _reason_texts(near_match.reasons or [])
    chars = _plate_chars(dossier_plate, session.plate_normalised)
    accepted = ""
    if near_match.accepted_at is not None:
        by = near_match.accepted_by
        accepted = _("Aanvaard op %(at)s door %(by)s") % {
            "at": local_time_text(near_match.accepted_at),
            "by": (by.get_full_name() or by.get_username()) if by else "—",
        }
    return NearRow(
        pk=near_match.pk,
        provider=session.provider.name,
        session_id=session.provider_session_id,
        plate=session.plate,
        plate_chars=chars,
        plate_differs=any(char.differs for char in chars),
        plate_note=notes.get("plate", _("Gelijk")),
        area=f"{session.area_code} ({session.area.name})",
        area_note=notes.get("area", _("Gelijk")),
        start=local_time_text(session.start_at),
        end=local_time_text(session.end_at) or _("loopt nog"),
        time_note=notes.get("time", _("Dekt het tijdstip van de vaststelling")),
        amount=format_eur(session.amount_paid_cents),
        reasons=texts,
        accepted=accepted,
    )


def paid_by_app_box(*, submission, can_change: bool) -> PaidByAppBox | None:
    """The box for a contest of a parking retribution whose dossier has near sessions or whose citizen
    said they had paid by app; None otherwise (nothing is shown). Reads the stored near matches only:
    they are looked up when the contest comes in, and again with "Opnieuw zoeken"."""
    dossier = submission.dossier
    if submission.purpose != Purpose.CONTEST or dossier is None:
        return None
    if dossier.kind != DossierKind.PARKING_RETRIBUTION:
        return None
    data = submission.form_data or {}
    said_yes = data.get(PAID_BY_APP) is True
    from eloket.sessions.near import near_matches_for_dossier

    near_matches = near_matches_for_dossier(dossier=dossier)
    if not near_matches and not said_yes:
        return None
    zone = _("zone %(zone)s") % {"zone": dossier.zone_code} if dossier.zone_code else ""
    place = ", ".join(part for part in (zone, dossier.street) if part)
    is_open = submission.status in OPEN_STATUSES
    return PaidByAppBox(
        said_yes=said_yes,
        provider_named=data.get(PAID_BY_APP_PROVIDER, "") if said_yes else "",
        plate=dossier.plate,
        place=place or "—",
        observed_at=local_time_text(dossier.occurred_at),
        amount=format_eur(dossier.amount_original_cents),
        rows=[_row(near_match, dossier_plate=dossier.plate_normalised) for near_match in near_matches],
        can_accept=can_change and is_open and not any(m.accepted_at for m in near_matches),
        can_search=can_change and is_open,
    )


@require_POST
def near_match_accept_view(request: HttpRequest, reference: str, near_match_id: int) -> HttpResponse:
    """POST only, CSRF; the clerk's own organisation's submission and a near match of its dossier, else
    404. Wrapped with ``clerk_required(CHANGE_PERMISSION)`` in ``forms.wagtail_hooks``."""
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    if (
        submission.dossier_id is None
        or not SessionNearMatch.objects.filter(pk=near_match_id, dossier_id=submission.dossier_id).exists()
    ):
        raise Http404
    try:
        near_match_accept(near_match_id=near_match_id, user=request.user, submission_id=submission.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Aanvaard: de retributie is geannuleerd en de burger krijgt de beslissing.")
        )
    return redirect(reverse("eloket_forms_admin:detail", args=[submission.reference]))


@require_POST
def near_matches_search_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Look again (a session a provider reported late, after the contest came in). POST only, CSRF; the
    clerk's own organisation's contest of a parking retribution, else 404. Wrapped with
    ``clerk_required(CHANGE_PERMISSION)`` in ``forms.wagtail_hooks``."""
    submission = inbox.submission_get_for_clerk(user=request.user, reference=reference)
    dossier = submission.dossier
    if (
        submission.purpose != Purpose.CONTEST
        or dossier is None
        or dossier.kind != DossierKind.PARKING_RETRIBUTION
    ):
        raise Http404
    found = near_matches_find(dossier=dossier)
    if found:
        messages.success(request, _("%(count)s parkeersessie(s) gevonden.") % {"count": len(found)})
    else:
        messages.info(request, _("Geen parkeersessie gevonden die overeenkomt."))
    return redirect(reverse("eloket_forms_admin:detail", args=[submission.reference]) + "#paid-by-app-title")
