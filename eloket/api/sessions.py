"""API views for parking paid by app or SMS: providers report sessions (``sessions:write``, only a
provider's key holds it), cities read the sessions in their municipalities, and enforcement asks the
rights check (``rights:check``), answered from permits and sessions. Thin: the work is in
``eloket.sessions``; reads through ``eloket.api.selectors``.

Plates are personal data: the rights check and the session list carry them in the query string,
which is why no access log may write it (``gunicorn.conf.py`` logs the path only, docs/api.md).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from eloket.api import selectors
from eloket.api.serializers import ErrorsSerializer
from eloket.api.session_serializers import (
    RIGHTS_CHECK_MAX_PLATES,
    RightsCheckQuerySerializer,
    RightsCheckSerializer,
    SessionLineSerializer,
    SessionResultSerializer,
    SessionSerializer,
)
from eloket.api.views import ApiView, _query_datetime, ndjson_required, ndjson_results, upsert_response
from eloket.constants import OrganisationKind
from eloket.models import ApiScope, ImportRun
from eloket.sessions.coverage import Right, rights_check
from eloket.sessions.write import SessionImporter, session_upsert


class SessionCursor(CursorPagination):
    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema(tags=["sessions"])
class SessionList(ApiView, generics.ListAPIView):
    """A provider's key: its own sessions. A city's key (``rights:check``): the sessions in the
    municipalities its organisation serves. Newest first; cursor pagination."""

    serializer_class = SessionSerializer
    pagination_class = SessionCursor

    @property
    def required_scope(self):
        provider = self.organisation.kind == OrganisationKind.PARKING_PROVIDER
        return ApiScope.SESSIONS_WRITE if provider else ApiScope.RIGHTS_CHECK

    @extend_schema(
        parameters=[
            OpenApiParameter("plate", str, required=False),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, required=False),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        plate = params.get("plate", "")
        if len(plate) > 16 or "\x00" in plate:
            raise exceptions.ValidationError({"plate": [_("Geen geldige nummerplaat.")]})
        return selectors.api_sessions(
            organisation=self.organisation,
            plate=plate,
            updated_since=_query_datetime(params, "updated_since"),
        )


@extend_schema(tags=["sessions"])
class SessionDetail(ApiView):
    required_scope = ApiScope.SESSIONS_WRITE

    @extend_schema(
        request=SessionLineSerializer,
        responses={201: SessionResultSerializer, 200: SessionResultSerializer, 400: ErrorsSerializer},
        description="Start, verleng of stop de sessie met dit id (idempotent).",
    )
    def put(self, request, session_id: str):
        return upsert_response(
            request,
            field="session_id",
            value=session_id,
            mismatch=_("Het sessie-id in de body verschilt van dat in het adres."),
            upsert=lambda data: session_upsert(provider=self.organisation, data=data, api_key=request.auth),
        )


@extend_schema(tags=["sessions"])
class SessionBulk(ApiView):
    """NDJSON in, NDJSON out: one result per line, streamed as the batches are written, then a
    summary line. A line is applied whole or not at all; lines are independent."""

    required_scope = ApiScope.SESSIONS_WRITE

    @extend_schema(
        request={"application/x-ndjson": SessionLineSerializer},
        responses={
            (200, "application/x-ndjson"): SessionResultSerializer,
            415: OpenApiResponse(description="Geen NDJSON"),
        },
        examples=[
            OpenApiExample(
                "Eén regel",
                value={"line": 1, "session_id": "4411-778812", "status": "created"},
                response_only=True,
            )
        ],
    )
    def post(self, request):
        ndjson_required(request)
        importer = SessionImporter(
            provider=self.organisation,
            source=ImportRun.Source.API,
            api_key=request.auth,
            batch_size=settings.API_BULK_BATCH_SIZE,
        )
        return ndjson_results(request, importer, counted=("cancelled_by_session",))


@extend_schema(tags=["rights"])
class RightsCheck(ApiView):
    """For enforcement systems before they issue: does a permit or a paid session cover these plates
    here, now? Repeat ``plate`` for many (up to 100); each plate counts against the key's limit."""

    required_scope = ApiScope.RIGHTS_CHECK

    @extend_schema(
        parameters=[RightsCheckQuerySerializer],
        responses={
            200: RightsCheckSerializer,
            400: ErrorsSerializer,
            429: OpenApiResponse(description="Te veel"),
        },
    )
    def get(self, request):
        # Counted before validation: a refused request costs what it asked for too (at least one).
        asked = min(len(request.query_params.getlist("plate")), RIGHTS_CHECK_MAX_PLATES + 1)
        if _plates_limited(request.auth, max(asked, 1)):
            raise exceptions.Throttled(
                wait=60, detail=_("Te veel rechtencontroles; probeer het over een minuut opnieuw.")
            )
        query = RightsCheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        municipality = selectors.api_municipality(
            organisation=self.organisation, nis_code=values["municipality"]
        )
        rights = rights_check(
            municipality_id=municipality.pk,
            plates=values["plate"],
            at=values.get("at") or timezone.now(),
            zone_code=values.get("zone", ""),
            street=values.get("street", ""),
        )
        results = [_right(right) for right in rights]
        body = {**results[0]} if len(results) == 1 else {}
        body["results"] = results
        return Response(body)


def _right(right: Right) -> dict:
    permit, session = right.permit, right.session
    return {
        "plate": right.plate,
        "covered": right.covered,
        "reason": right.reason,
        "permit": None
        if permit is None
        else {
            "reference": permit.reference,
            "kind": permit.kind,
            "valid_from": permit.valid_from,
            "valid_until": permit.valid_until,
        },
        "session": None
        if session is None
        else {
            "provider": session.provider.name,
            "session_id": session.provider_session_id,
            "area": session.area_code,
            "start": session.start_at,
            "end": session.end_at,
        },
        "grace_minutes": right.grace_minutes,
    }


def _plates_limited(key, plates: int) -> bool:
    """The key's rights checks per minute count plates, not requests (a batch of 100 is 100), in the
    shared cache like django-ratelimit's counters."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    name = f"api-rights-check:{key.pk}:{int(time.time()) // 60}"
    if cache.add(name, plates, 90):
        used = plates
    else:
        try:
            used = cache.incr(name, plates)
        except ValueError:  # expired between add and incr
            cache.set(name, plates, 90)
            used = plates
    return used > key.rights_check_per_minute
