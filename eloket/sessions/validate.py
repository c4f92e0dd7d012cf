"""One validator for a parking session as a provider reports it: the body of a PUT and each line of
the bulk NDJSON stream alike (``eloket.sessions.write``).

The small field parsers, the error shape and the NDJSON reader are ``eloket.ingest``'s, so a
provider's errors look like a city system's: per field, a list of ``{"code", "message"}`` in Dutch.
What needs the stored sessions (a known session id with another plate or area, an overlap) is found
by the writer, in the batch's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from eloket.identifiers import parse_enterprise_number, parse_national_number
from eloket.ingest import Context, Errors, LineError, Storable, _datetime, _integer, _storable_check, _text
from eloket.models import Organisation
from eloket.models.parking import ParkingArea
from eloket.places import zone_code_normalise
from eloket.plates import plate_normalise

SESSION_FIELDS = frozenset(
    {
        "session_id",
        "plate",
        "plate_country",
        "municipality",
        "area",
        "start",
        "end",
        "amount_paid_cents",
        "customer_national_number",
        "customer_enterprise_number",
    }
)
SESSION_ID_MAX = 100
# A provider's clock may run a little ahead; a session that starts later than this is an error.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# The longest session: also the window the rights check searches back in (eloket.sessions.coverage).
MAX_DURATION = dt.timedelta(days=7)
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class AreaRef:
    pk: int
    code: str
    municipality_id: int


@dataclass
class CleanSession:
    line: int
    session_id: str
    plate: str
    plate_normalised: str
    plate_country: str
    area: AreaRef
    start_at: dt.datetime
    end_at: dt.datetime | None
    amount_paid_cents: int
    identifier: object = None  # eloket.identifiers.Identifier of the customer, when given
    party_hash: str = ""


class SessionContext:
    """What validation needs to know about the provider, loaded once per import: the municipalities
    it serves (``eloket.ingest.Context``) and, per municipality, the active areas by code."""

    def __init__(self, provider: Organisation):
        self.provider = provider
        self.base = Context(provider)
        self._areas: dict[int, dict[str, AreaRef]] = {}

    def area(self, municipality_id: int, code: str) -> AreaRef | None:
        areas = self._areas.get(municipality_id)
        if areas is None:
            areas = self._areas[municipality_id] = {
                area_code: AreaRef(pk, area_code, municipality_id)
                for pk, area_code in ParkingArea.objects.filter(
                    municipality_id=municipality_id, active=True
                ).values_list("id", "code")
            }
        return areas.get(zone_code_normalise(code))


def session_validate(data: dict, context: SessionContext, number: int = 1, *, now=None) -> CleanSession:
    """The cleaned session, or ``LineError`` with every problem of the line at once."""
    if not isinstance(data, Storable):
        _storable_check(data)
    errors = Errors()
    unknown = sorted(set(data) - SESSION_FIELDS)
    if unknown:
        errors.add("line", "unknown_field", _("Onbekende velden: %s") % ", ".join(map(str, unknown))[:200])
    session_id = _text(data, "session_id", errors, required=True)
    if len(session_id) > SESSION_ID_MAX:
        errors.add("session_id", "too_long", _("Maximaal %(max)s tekens.") % {"max": SESSION_ID_MAX})
    plate = _text(data, "plate", errors, required=True)
    normalised = plate_normalise(plate) if plate else ""
    if plate and not normalised:
        errors.add("plate", "invalid_plate", _("Deze nummerplaat bevat geen letters of cijfers."))
    country = _text(data, "plate_country", errors).upper() or "BE"
    if not _COUNTRY.fullmatch(country):
        errors.add("plate_country", "invalid_country", _("Geef het land als twee letters, zoals BE of NL."))
    area = _area(data, context, errors)
    start, end = _times(data, context, errors, now or timezone.now())
    amount = _integer(data, "amount_paid_cents", errors, minimum=0, maximum=10**8)
    identifier, party_hash = _customer(data, context, errors)
    if errors:
        raise LineError(dict(errors))
    return CleanSession(
        line=number,
        session_id=session_id,
        plate=plate,
        plate_normalised=normalised,
        plate_country=country,
        area=area,
        start_at=start,
        end_at=end,
        amount_paid_cents=amount or 0,
        identifier=identifier,
        party_hash=party_hash,
    )


def _area(data: dict, context: SessionContext, errors: Errors) -> AreaRef | None:
    nis = data.get("municipality")
    code = _text(data, "area", errors, required=True)
    if nis is None or nis == "":
        errors.add("municipality", "required", _("Dit veld is verplicht."))
        return None
    if not isinstance(nis, str):
        errors.add("municipality", "invalid_type", _("Verwacht een NIS-code als tekst."))
        return None
    municipality_id = context.base.municipalities.get(nis)
    if municipality_id is None:
        if context.base.nis_known(nis):
            errors.add(
                "municipality", "not_served", _("Uw organisatie meldt geen parkeersessies in deze gemeente.")
            )
        else:
            errors.add(
                "municipality", "unknown_municipality", _("Onbekende gemeente (NIS-code %s).") % nis[:10]
            )
        return None
    if not code:
        return None
    area = context.area(municipality_id, code)
    if area is None:
        errors.add(
            "area", "unknown_area", _("Deze gemeente heeft geen actieve parkeerzone met code %s.") % code[:32]
        )
    return area


def _times(data: dict, context: SessionContext, errors: Errors, now: dt.datetime):
    zone = context.base.zone
    start = _datetime(data, "start", errors, zone)
    end = _datetime(data, "end", errors, zone)
    if start is None:
        if "start" not in errors:
            errors.add("start", "required", _("Dit veld is verplicht."))
        return None, end
    if start > now + FUTURE_TOLERANCE:
        errors.add(
            "start",
            "in_future",
            _("Een sessie begint ten laatste %(minutes)s minuten na nu.")
            % {"minutes": int(FUTURE_TOLERANCE.total_seconds() // 60)},
        )
    if end is not None:
        if end < start:
            errors.add("end", "before_start", _("Het einde ligt voor het begin."))
        elif end - start > MAX_DURATION:
            errors.add(
                "end",
                "too_long",
                _("Een sessie duurt hoogstens %(days)s dagen.") % {"days": MAX_DURATION.days},
            )
    return start, end


def _customer(data: dict, context: SessionContext, errors: Errors):
    """The customer, when the provider knows them: their national register or enterprise number,
    validated and hashed as ``eloket.ingest`` does (only the keyed hash and a mask are stored)."""
    national, enterprise = data.get("customer_national_number"), data.get("customer_enterprise_number")
    if national in (None, "") and enterprise in (None, ""):
        return None, ""
    if national not in (None, "") and enterprise not in (None, ""):
        errors.add(
            "customer_national_number",
            "both_given",
            _("Geef een rijksregisternummer of een ondernemingsnummer, niet beide."),
        )
        return None, ""
    name, parse = (
        ("customer_national_number", parse_national_number)
        if national not in (None, "")
        else ("customer_enterprise_number", parse_enterprise_number)
    )
    value = data[name]
    if not isinstance(value, str):
        errors.add(name, "invalid_type", _("Verwacht een tekst."))
        return None, ""
    try:
        return context.base.identifier(parse, value)
    except ValidationError as error:
        errors.add(name, error.code or "invalid", error.messages[0])
        return None, ""
