"""Citizen views: thin, they call selectors and services and render."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from eloket import selectors, services
from eloket.actions import actions_for
from eloket.auth.guest import acting_user, dossier_scope, login_or_dossier_grant_required
from eloket.auth.middleware import CITIZEN_SESSION_KEY
from eloket.constants import DossierStatus
from eloket.decisions import dossier_decision_get
from eloket.forms import OverviewFilterForm
from eloket.middleware import ACTING_PARTY_SESSION_KEY
from eloket.models import User
from eloket.sessions.selectors import parking_sessions_for_party, session_match_for_dossier

# How many of the latest parking sessions the overview shows (the rest on their own page).
OVERVIEW_SESSIONS = 3


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    party = request.acting_party
    if not party:
        return render(request, "eloket/no_party.html", status=200)
    municipalities = list(selectors.dossier_municipalities(party=party))
    form = OverviewFilterForm(request.GET or None, municipalities=municipalities)
    filters = form.filters()
    is_filtered = any(value for key, value in filters.items() if key != "sort")
    dossiers = selectors.dossier_list(party=party, **filters)
    totals = selectors.party_totals(party=party)
    # Unfiltered, the list holds all the party's dossiers, which the totals counted already.
    paginator = Paginator(dossiers, settings.ELOKET_PAGE_SIZE)
    if not is_filtered:
        paginator.count = totals.count
    page = paginator.get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "eloket/overview.html",
        {
            "form": form,
            "page": page,
            "page_query": query.urlencode(),
            "totals": totals,
            "needs_action": selectors.dossier_needs_action(party=party, municipalities=municipalities),
            "sessions": list(parking_sessions_for_party(party=party, limit=OVERVIEW_SESSIONS))
            if totals.has_sessions
            else [],
            "is_filtered": is_filtered,
            "today": timezone.localdate(),
            # One reverse() for the page instead of one per row; the reference is a slug.
            "dossier_url_prefix": reverse("eloket:dossier_detail", args=["_"])[:-2],
        },
    )


@login_or_dossier_grant_required
def dossier_detail(request: HttpRequest, reference: str) -> HttpResponse:
    party, only_dossier = dossier_scope(request)
    dossier = selectors.dossier_get(party=party, reference=reference, dossier_id=only_dossier)
    services.dossier_record_view(dossier=dossier, user=acting_user(request))
    policy = dossier.policy
    today = timezone.localdate()
    session_match = (
        session_match_for_dossier(dossier=dossier)
        if dossier.status == DossierStatus.CANCELLED_BY_SESSION
        else None
    )
    return render(
        request,
        "eloket/dossier_detail.html",
        {
            "dossier": dossier,
            "policy": policy,
            "on_hold": policy.is_on_hold(dossier),
            "step_up": policy.next_step_up(dossier, today),
            "legal_basis": policy.legal_basis(dossier),
            "timeline": selectors.timeline_for(dossier=dossier).select_related(None),
            "evidence": selectors.evidence_for(dossier=dossier),
            "actions": actions_for(dossier),
            "today": today,
            "session_match": session_match,
            "decision": dossier_decision_get(party=party, dossier=dossier),
        },
    )


@login_required
def parking_sessions(request: HttpRequest) -> HttpResponse:
    """The page "Parkeersessies": the acting party's sessions paid by app or SMS, newest first."""
    party = request.acting_party
    if not party:
        return render(request, "eloket/no_party.html")
    sessions = parking_sessions_for_party(party=party)
    page = Paginator(sessions, settings.ELOKET_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "eloket/parking_sessions.html", {"page": page})


@login_or_dossier_grant_required
def evidence_file(request: HttpRequest, reference: str, evidence_id: int) -> FileResponse:
    party, only_dossier = dossier_scope(request)
    evidence = selectors.evidence_get(
        party=party, reference=reference, evidence_id=evidence_id, dossier_id=only_dossier
    )
    content_type = (
        evidence.content_type or mimetypes.guess_type(evidence.file.name)[0] or "application/octet-stream"
    )
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def acting_as(request: HttpRequest) -> HttpResponse:
    representations = list(selectors.representations_for_user(user=request.user))
    if request.method == "POST":
        try:
            party_id = int(request.POST.get("party", ""))
        except ValueError:
            party_id = None
        if party_id not in {r.party_id for r in representations}:
            raise Http404
        request.session[ACTING_PARTY_SESSION_KEY] = party_id
        return redirect("eloket:overview")
    return render(request, "eloket/acting_as.html", {"representations": representations})


def demo_login(request: HttpRequest) -> HttpResponse:
    """Pick a seeded identity. Exists only in demo mode; production settings refuse demo mode."""
    if not settings.DEMO_MODE:
        raise Http404
    from eloket.demo import DEMO_DESCRIPTIONS

    identities = list(User.objects.exclude(demo_key="").order_by("demo_key"))
    for identity in identities:
        identity.demo_description = DEMO_DESCRIPTIONS.get(identity.demo_key, "")
    if request.method == "POST":
        chosen = request.POST.get("identity", "")
        user = next((i for i in identities if i.demo_key == chosen), None)
        if user is None:
            return render(
                request, "eloket/demo_login.html", {"identities": identities, "error": True}, status=400
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[CITIZEN_SESSION_KEY] = True  # the idle time applies (eloket.auth.middleware)
        next_url = request.POST.get("next") or ""
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("eloket:overview")
    return render(
        request, "eloket/demo_login.html", {"identities": identities, "next": request.GET.get("next", "")}
    )


EXPORT_EVERY_SECONDS = 60


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """ "Download my data": the page explains, a POST builds the ZIP of the acting party's data
    (``eloket.data_export``) in a temporary file and streams it. One export a minute per login."""
    import tempfile

    from django.core.cache import cache

    from eloket.data_export import party_export_write

    party = request.acting_party or None
    if party is None:
        return render(request, "eloket/no_party.html")
    if request.method != "POST":
        return render(request, "eloket/data_export.html", {"party": party})
    if not cache.add(f"data-export:{request.user.pk}", 1, timeout=EXPORT_EVERY_SECONDS):
        return render(request, "eloket/data_export.html", {"party": party, "too_soon": True}, status=429)
    # Closed by FileResponse once sent (a ``with`` block would close it before).
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    party_export_write(party=party, fileobj=archive)
    archive.seek(0)
    filename = f"e-loket-gegevens-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
