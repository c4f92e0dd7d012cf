"""Reads for the API: always the API key's organisation, never another's."""

from __future__ import annotations

from django.http import Http404

from eloket.constants import OrganisationKind
from eloket.models import Dossier, Municipality, ParkingSession
from eloket.plates import plate_normalise


def api_dossiers(*, organisation, kind=None, status=None, updated_since=None):
    dossiers = Dossier.objects.filter(organisation=organisation).select_related("municipality", "party")
    if kind:
        dossiers = dossiers.filter(kind=kind)
    if status:
        dossiers = dossiers.filter(status=status)
    if updated_since:
        dossiers = dossiers.filter(updated_at__gte=updated_since)
    return dossiers


def api_dossier(*, organisation, external_id: str) -> Dossier:
    if "\x00" in external_id:  # no dossier has one, and PostgreSQL cannot compare it
        raise Http404("dossier")
    dossier = api_dossiers(organisation=organisation).filter(external_id=external_id).first()
    if dossier is None:
        raise Http404("dossier")
    return dossier


def api_municipality(*, organisation, nis_code: str) -> Municipality:
    municipality = organisation.municipalities.filter(nis_code=nis_code).first()
    if municipality is None:
        raise Http404("municipality")
    return municipality


def api_submissions(*, organisation, updated_since=None):
    from forms.models import Submission

    submissions = Submission.objects.filter(organisation=organisation).select_related("dossier")
    if updated_since:
        submissions = submissions.filter(updated_at__gte=updated_since)
    return submissions


def api_sessions(*, organisation, plate: str = "", updated_since=None):
    """Parking sessions: a provider's own; for a city (or its parking company) those reported in the
    municipalities it serves, never another's."""
    sessions = ParkingSession.objects.select_related("provider", "municipality")
    if organisation.kind == OrganisationKind.PARKING_PROVIDER:
        sessions = sessions.filter(provider=organisation)
    else:
        sessions = sessions.filter(municipality__in=organisation.municipalities.values("id"))
    if plate:
        sessions = sessions.filter(plate_normalised=plate_normalise(plate))
    if updated_since:
        sessions = sessions.filter(updated_at__gte=updated_since)
    return sessions
