"""Parking areas: their street keys, their neighbours, the grace minutes the rights check applies in
them, and the CSV import (``manage.py import_parking_areas``, ``eloket.sessions.areas_csv``).

Every write of an area goes through ``parking_area_save`` (the admin, the import, the demo): it
validates the row, normalises the code as the cross-check compares it, rebuilds the street keys
(``ParkingAreaStreet``) and sets the neighbours, within the area's municipality only, in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from eloket.constants import DossierKind, OrganisationKind
from eloket.models import Organisation, Regulation
from eloket.models.parking import ParkingArea, ParkingAreaStreet, ParkingSession
from eloket.places import street_key, zone_code_normalise
from eloket.selectors import staff_organisations

logger = logging.getLogger(__name__)


def grace_minutes_for(*, organisation_id: int, municipality_id: int, on: dt.date) -> int:
    """The grace minutes of the organisation's parking retribution regulation valid on that day: one
    for this municipality before one for all of its municipalities, the latest version first; 0 when
    there is none (no regulation, no grace: never a constant in code)."""
    regulation = (
        Regulation.objects.filter(organisation_id=organisation_id, kind=DossierKind.PARKING_RETRIBUTION)
        .filter(Q(municipality_id=municipality_id) | Q(municipality__isnull=True))
        .filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by(F("municipality_id").asc(nulls_last=True), "-valid_from", "-id")
        .values_list("session_grace_minutes", flat=True)
        .first()
    )
    return regulation or 0


def retribution_organisations(*, municipality_id: int):
    """The organisations that collect parking retributions in a municipality: those serving it with a
    parking retribution regulation for it or for all their municipalities (providers never)."""
    return (
        Organisation.objects.filter(municipalities=municipality_id)
        .exclude(kind=OrganisationKind.PARKING_PROVIDER)
        .filter(
            Q(regulations__kind=DossierKind.PARKING_RETRIBUTION)
            & (Q(regulations__municipality_id=municipality_id) | Q(regulations__municipality__isnull=True))
        )
        .distinct()
    )


def polygon_validate(value) -> None:
    """A GeoJSON Polygon (or MultiPolygon) in WGS84: closed rings of at least four [lon, lat] pairs."""
    if value in (None, "", {}):
        return
    message = _(
        "Geen geldige GeoJSON-omtrek: verwacht een Polygon met gesloten ringen van [lengte, breedte]."
    )
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError({"polygon": message}, code="invalid_polygon")
    coordinates = value.get("coordinates")
    polygons = coordinates if value["type"] == "MultiPolygon" else [coordinates]
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError({"polygon": message}, code="invalid_polygon")
    for rings in polygons:
        if not isinstance(rings, list) or not rings or not all(_ring_valid(ring) for ring in rings):
            raise ValidationError({"polygon": message}, code="invalid_polygon")


def _ring_valid(ring) -> bool:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        return False
    for point in ring:
        if not isinstance(point, list) or len(point) not in (2, 3):
            return False
        if not all(
            isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in point
        ):
            return False
        if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            return False
    return True


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _streets_clean(streets) -> tuple[list[str], list[str]]:
    """The street names as given (stripped, once each) and their distinct keys."""
    names, keys = [], []
    for street in streets or []:
        name = " ".join(str(street).split())
        key = street_key(name)
        if not key or key in keys:
            continue
        names.append(name)
        keys.append(key)
    return names, keys


@transaction.atomic
def parking_area_save(
    *, area: ParkingArea, streets: list[str] | None = None, neighbour_codes: list[str] | None = None
) -> ParkingArea:
    """Validate and write ``area``. ``streets`` (names; ``None`` keeps ``area.streets``) become its
    street keys, rebuilt every time; ``neighbour_codes`` (``None`` keeps the neighbours) replaces its
    neighbours, which must be areas of the same municipality (the relation is symmetrical).

    Raises ``ValidationError`` (per field) and writes nothing when something is wrong.
    """
    area.code = zone_code_normalise(area.code)
    names, keys = _streets_clean(area.streets if streets is None else streets)
    area.streets = names
    if area.organisation_id and area.organisation.kind == OrganisationKind.PARKING_PROVIDER:
        raise ValidationError(
            {"organisation": _("Een aanbieder van mobiel parkeren beheert geen parkeerzones.")},
            code="provider_organisation",
        )
    polygon_validate(area.polygon)
    area.full_clean()
    neighbours = None
    if neighbour_codes is not None:
        codes = {zone_code_normalise(code) for code in neighbour_codes if code and code.strip()}
        codes.discard(area.code)
        neighbours = list(ParkingArea.objects.filter(municipality_id=area.municipality_id, code__in=codes))
        unknown = sorted(codes - {neighbour.code for neighbour in neighbours})
        if unknown:
            raise ValidationError(
                {
                    "neighbours": _("Geen parkeerzone in deze gemeente met code: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                },
                code="unknown_neighbour",
            )
    area.save()
    ParkingAreaStreet.objects.filter(area=area).exclude(street_key__in=keys).delete()
    known = set(ParkingAreaStreet.objects.filter(area=area).values_list("street_key", flat=True))
    ParkingAreaStreet.objects.bulk_create(
        [ParkingAreaStreet(area=area, street_key=key) for key in keys if key not in known]
    )
    if neighbours is not None:
        area.neighbours.set(neighbours)
    logger.info("parking_area_saved area=%s municipality=%s", area.pk, area.municipality_id)
    return area


class AreaInUse(ValidationError):
    pass


@transaction.atomic
def parking_area_delete(*, area: ParkingArea) -> None:
    """Delete an area nobody reported a session in; one with sessions is switched off instead
    (``active``), so its history stays. Raises ``AreaInUse`` for such an area."""
    area = ParkingArea.objects.select_for_update().get(pk=area.pk)
    if area.sessions.exists():
        raise AreaInUse(
            _("In deze zone zijn parkeersessies gemeld: zet ze op niet-actief in plaats van ze te wissen."),
            code="area_in_use",
        )
    area.delete()
    logger.info("parking_area_deleted area=%s", area.pk)


def parking_areas_import(*, file, dry_run: bool = False):
    """Load areas from a CSV file (see ``eloket.sessions.areas_csv``); all or nothing."""
    from eloket.sessions.areas_csv import areas_import

    return areas_import(file=file, dry_run=dry_run)


# -- Reads for staff: an area belongs to its organisation; staff see their organisations' only ---------


def parking_areas_for_staff(*, user):
    """The areas a staff login manages: those of its organisations (``staff_organisations``; all,
    for a platform operator)."""
    return ParkingArea.objects.filter(
        organisation__in=staff_organisations(user=user).values("pk")
    ).select_related("municipality", "organisation")


def parking_sessions_for_staff(*, user):
    """The sessions reported in the areas of the login's organisations, newest first."""
    return (
        ParkingSession.objects.filter(area__organisation__in=staff_organisations(user=user).values("pk"))
        .select_related("provider", "area", "municipality")
        .order_by("-start_at", "-id")
    )
