"""One dossier without login: for drivers with no Belgian login (foreign plates).

The reference, the plate and a check value printed on the letter (the last four digits of the structured
communication, the OGM) open that one dossier in this browser session: the dossier's page, paying it
and contesting it reuse the citizen views, scoped to that dossier alone. Nothing else of the party shows:
no overview, no other dossier, no messages. Attempts are rate-limited per client address and per
reference, and logged without the plate or any other personal identifier.
"""

from __future__ import annotations

import functools
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from eloket.auth.middleware import GUEST_SESSION_KEY
from eloket.models import Dossier, Party
from eloket.plates import plate_normalise

logger = logging.getLogger(__name__)

CHECK_DIGITS = 4


@dataclass(frozen=True)
class DossierGrant:
    dossier_id: int
    party_id: int
    reference: str


def grant_for(request) -> DossierGrant | None:
    """The one dossier this (anonymous) session may see, if any. A logged-in user has no grant."""
    if request.user.is_authenticated:
        return None
    data = request.session.get(GUEST_SESSION_KEY)
    if not data:
        return None
    return DossierGrant(dossier_id=data["dossier"], party_id=data["party"], reference=data["reference"])


def dossier_scope(request) -> tuple[Party | None, int | None]:
    """The party whose dossiers the request may see, and the one dossier id it is limited to (or None)."""
    if request.user.is_authenticated:
        return (getattr(request, "acting_party", None) or None), None
    grant = grant_for(request)
    if grant is None:
        return None, None
    return Party.objects.filter(pk=grant.party_id).first(), grant.dossier_id


def acting_user(request):
    return request.user if request.user.is_authenticated else None


def login_or_dossier_grant_required(view):
    """``login_required``, except that a session holding a one-dossier grant may pass too (the view
    then limits itself to that dossier through ``dossier_scope``)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated or grant_for(request) is not None:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapper


class AccessRefused(Exception):
    def __init__(self, message, *, status: int):
        super().__init__(str(message))
        self.message = message
        self.status = status


RATE_LIMITED = _(
    "U hebt te vaak geprobeerd een dossier te openen. Probeer het over een uur opnieuw, of neem contact op "
    "met de dienst die de brief stuurde."
)
NOT_FOUND = _(
    "Met deze gegevens vinden we geen dossier. Controleer de referentie, de nummerplaat en de laatste "
    "vier cijfers van de gestructureerde mededeling op uw brief."
)


def dossier_open(request, *, reference: str, plate: str, check: str) -> Dossier:
    """The dossier these three values on the letter point to, granted to this session; else
    ``AccessRefused``. Every attempt counts towards the limits, a wrong one as much as a right one."""
    reference = reference.strip().upper()
    limited = is_ratelimited(
        request, group="eloket:guest:ip", key="ip", rate=settings.GUEST_ACCESS_RATE, increment=True
    )
    limited_reference = is_ratelimited(
        request,
        group="eloket:guest:reference",
        key=lambda _group, _request: reference or "-",
        rate=settings.GUEST_ACCESS_REFERENCE_RATE,
        increment=True,
    )
    if limited or limited_reference:
        logger.warning("guest_access refused reason=rate_limited")
        raise AccessRefused(RATE_LIMITED, status=429)
    dossier = (
        Dossier.objects.filter(reference=reference)
        .only("id", "party_id", "reference", "plate_normalised", "ogm")
        .first()
    )
    if dossier is None or not _matches(dossier, plate=plate, check=check):
        logger.info("guest_access refused reason=%s", "unknown_reference" if dossier is None else "mismatch")
        raise AccessRefused(NOT_FOUND, status=404)
    request.session.cycle_key()  # a fresh session id for the access
    request.session[GUEST_SESSION_KEY] = {
        "dossier": dossier.pk,
        "party": dossier.party_id,
        "reference": dossier.reference,
    }
    logger.info("guest_access granted dossier=%s", dossier.pk)
    return dossier


def _matches(dossier: Dossier, *, plate: str, check: str) -> bool:
    plate_ok = bool(dossier.plate_normalised) and hmac.compare_digest(
        plate_normalise(plate or ""), dossier.plate_normalised
    )
    digits = "".join(c for c in (check or "") if c.isdigit())
    expected = (dossier.ogm or "")[-CHECK_DIGITS:]
    check_ok = len(expected) == CHECK_DIGITS and hmac.compare_digest(digits, expected)
    return plate_ok and check_ok


def dossier_close(request) -> None:
    request.session.pop(GUEST_SESSION_KEY, None)
    request.session.cycle_key()
