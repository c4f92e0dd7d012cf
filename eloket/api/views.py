"""API views: thin. Reads go through ``eloket.api.selectors`` (always the key's organisation), writes
through ``eloket.ingest`` and ``eloket.services``."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from eloket import services
from eloket.api import selectors
from eloket.api.authentication import ApiKeyAuthentication, HasScope
from eloket.api.serializers import (
    DossierLineSerializer,
    DossierSerializer,
    ErrorsSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    LineResultSerializer,
    StatusUpdateSerializer,
    SubmissionExportSerializer,
)
from eloket.constants import Decision, DossierKind, DossierStatus, TimelineEventKind
from eloket.ingest import Importer, LineError, byte_lines, dossier_upsert, ndjson_lines
from eloket.models import ApiScope, EventType, ImportRun
from eloket.outbox import outbox_emit

logger = logging.getLogger(__name__)


def api_exception_handler(exc, context):
    """Every error as ``{"errors": {field: [{"code", "message"}]}}``, or ``{"detail": …}`` for the
    request as a whole (authentication, permission, rate limit)."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {
                    name: [ErrorDetail(e.message % (e.params or {}), code=e.code) for e in errors]
                    for name, errors in exc.error_dict.items()
                }
            )
        else:
            exc = exceptions.ValidationError(
                {
                    "non_field_errors": [
                        ErrorDetail(e.message % (e.params or {}), code=e.code) for e in exc.error_list
                    ]
                }
            )
    if isinstance(exc, RequestDataTooBig):
        message = _("Dit verzoek is te groot. Stuur veel dossiers als NDJSON naar /api/v1/dossiers/bulk/.")
        return Response({"detail": message}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        details = exc.get_full_details()
        if not isinstance(details, dict):
            details = {"non_field_errors": details}
        response.data = {"errors": _flat_errors(details)}
    elif response is not None and response.status_code == 400:  # a body that could not be parsed
        code = getattr(exc, "default_code", "invalid")
        response.data = {"errors": {"non_field_errors": [{"message": str(exc.detail), "code": code}]}}
    return response


def _flat_errors(details, prefix: str = "", into: dict | None = None) -> dict:
    """Nested errors (a list field's item, a nested serializer) flattened to ``field.index`` keys, so
    that every value is the documented list of ``{"code", "message"}``."""
    into = {} if into is None else into
    if isinstance(details, dict) and not {"code", "message"} <= details.keys():
        for key, value in details.items():
            _flat_errors(value, f"{prefix}.{key}" if prefix else str(key), into)
    elif isinstance(details, list):
        for detail in details:
            _flat_errors(detail, prefix, into)
    else:
        into.setdefault(prefix or "non_field_errors", []).append(details)
    return into


class ApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return api_exception_handler

    @property
    def organisation(self):
        return self.request.user.organisation


class DossierCursor(CursorPagination):
    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema(tags=["dossiers"])
class DossierList(ApiView, generics.ListAPIView):
    """The organisation's own dossiers, newest first; cursor pagination."""

    required_scope = ApiScope.DOSSIERS_READ
    serializer_class = DossierSerializer
    pagination_class = DossierCursor

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, required=False),
            OpenApiParameter("status", str, required=False),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, required=False),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.api_dossiers(
            organisation=self.organisation,
            kind=_query_choice(params, "kind", DossierKind),
            status=_query_choice(params, "status", DossierStatus),
            updated_since=_query_datetime(params, "updated_since"),
        )


def _query_choice(params, name, choices):
    value = params.get(name)
    if not value:
        return None
    if value not in choices.values:
        raise exceptions.ValidationError(
            {name: [_("Onbekende waarde; kies uit %s.") % ", ".join(choices.values)]}
        )
    return value


def _query_datetime(params, name):
    value = params.get(name)
    if not value:
        return None
    from django.utils.dateparse import parse_datetime

    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is not None:
        try:  # in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows
            parsed = (parsed if parsed.tzinfo else timezone.make_aware(parsed)).astimezone(dt.UTC)
        except (OverflowError, ValueError):
            parsed = None
    if parsed is None:
        raise exceptions.ValidationError({name: [_("Verwacht een tijdstip als 2026-03-14T09:30:00+01:00.")]})
    return parsed


@extend_schema(tags=["dossiers"])
class DossierDetail(ApiView):
    required_scope = {"GET": ApiScope.DOSSIERS_READ, "PUT": ApiScope.DOSSIERS_WRITE}

    @extend_schema(responses={200: DossierSerializer, 404: OpenApiResponse(description="Onbekend dossier")})
    def get(self, request, external_id: str):
        dossier = selectors.api_dossier(organisation=self.organisation, external_id=external_id)
        return Response(DossierSerializer(dossier).data)

    @extend_schema(
        request=DossierLineSerializer,
        responses={201: LineResultSerializer, 200: LineResultSerializer, 400: ErrorsSerializer},
        description="Maak het dossier met dit extern id aan, of werk het bij (idempotent).",
    )
    def put(self, request, external_id: str):
        return upsert_response(
            request,
            field="external_id",
            value=external_id,
            mismatch=_("Het extern id in de body verschilt van dat in het adres."),
            upsert=lambda data: dossier_upsert(
                organisation=self.organisation, data=data, api_key=request.auth
            ),
        )


@extend_schema(tags=["dossiers"])
class DossierBulk(ApiView):
    """NDJSON in, NDJSON out: one result per line, streamed as the batches are written, then a
    summary line. A line is applied whole or not at all; lines are independent."""

    required_scope = ApiScope.DOSSIERS_WRITE

    @extend_schema(
        request={"application/x-ndjson": DossierLineSerializer},
        responses={
            (200, "application/x-ndjson"): LineResultSerializer,
            415: OpenApiResponse(description="Geen NDJSON"),
        },
        examples=[
            OpenApiExample(
                "Eén regel",
                value={
                    "line": 1,
                    "external_id": "SCAN-1",
                    "status": "created",
                    "reference": "RB-26-K7Q3M9XD",
                },
                response_only=True,
            )
        ],
    )
    def post(self, request):
        ndjson_required(request)
        importer = Importer(
            organisation=self.organisation,
            source=ImportRun.Source.API,
            api_key=request.auth,
            batch_size=settings.API_BULK_BATCH_SIZE,
        )
        return ndjson_results(request, importer, counted=("cancelled_by_permit", "cancelled_by_session"))


def _limited(lines, maximum: int):
    for number, item in lines:
        if number > maximum:
            message = _("Hoogstens %(max)s regels per verzoek; stuur de rest in een volgend verzoek.") % {
                "max": maximum
            }
            yield number, LineError({"line": [{"code": "too_many_lines", "message": message}]})
            return
        yield number, item


NDJSON_CONTENT_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


def upsert_response(request, *, field: str, value: str, mismatch: str, upsert) -> Response:
    """A PUT of one object by the id in its address (a dossier, a parking session): the body must be a
    JSON object whose ``field``, if given, is that id; ``upsert(data)`` returns the line's result
    (``status`` created/updated/unchanged/error, ``errors``, ``as_dict()``): 201, 200 or 400."""
    data = request.data
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Verwacht een JSON-object.")]})
    if data.get(field) not in (None, value):
        raise exceptions.ValidationError({field: [mismatch]})
    result = upsert({**data, field: value})
    if result.status == "error":
        return Response({"errors": result.errors}, status=status.HTTP_400_BAD_REQUEST)
    code = status.HTTP_201_CREATED if result.status == "created" else status.HTTP_200_OK
    return Response(result.as_dict(), status=code)


def ndjson_required(request) -> None:
    """A bulk endpoint takes NDJSON only (415 otherwise)."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type not in NDJSON_CONTENT_TYPES:
        raise exceptions.UnsupportedMediaType(content_type or "-")


def ndjson_results(request, importer, *, counted: tuple[str, ...]) -> StreamingHttpResponse:
    """The request's NDJSON lines through ``importer`` (``feed``/``finish``, as ``eloket.ingest`` and
    ``eloket.sessions.write`` have it), answered as a stream: one result per line, in batches of 500,
    then a summary with the run's counts and the ``counted`` ones of this kind of import."""
    lines = _limited(ndjson_lines(byte_lines(request._request)), settings.API_BULK_MAX_LINES)
    return StreamingHttpResponse(_stream(importer, lines, counted), content_type="application/x-ndjson")


def _stream(importer, lines, counted: tuple[str, ...]):
    buffer = []
    for result in importer.feed(lines):
        buffer.append(json.dumps(result.as_dict(), ensure_ascii=False))
        if len(buffer) >= 500:
            yield "\n".join(buffer) + "\n"
            buffer = []
    run = importer.finish()
    fields = ("lines", "created", "updated", "unchanged", "failed", *counted)
    summary = {"import": run.pk, **{name: getattr(run, name) for name in fields}}
    buffer.append(json.dumps({"summary": summary}))
    yield "\n".join(buffer) + "\n"


@extend_schema(tags=["dossiers"])
class DossierStatusUpdate(ApiView):
    """Something happened to the dossier in the city's own system."""

    required_scope = ApiScope.DOSSIERS_WRITE

    @extend_schema(
        request=StatusUpdateSerializer,
        responses={
            200: DossierSerializer,
            400: ErrorsSerializer,
            404: OpenApiResponse(description="Onbekend"),
        },
    )
    def post(self, request, external_id: str):
        dossier = selectors.api_dossier(organisation=self.organisation, external_id=external_id)
        serializer = StatusUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = serializer.validated_data
        with transaction.atomic():
            change = _status_apply(dossier, update, actor_label=str(request.user))
            outbox_emit(
                type=EventType.DOSSIER_UPDATED,
                organisation_id=dossier.organisation_id,
                dossier=dossier,
                data={"change": change, "update": update["type"]},
            )
        dossier.refresh_from_db()
        return Response(DossierSerializer(dossier).data)


_TRANSITIONS = {
    "notified": DossierStatus.NOTIFIED,
    "reminder_sent": DossierStatus.REMINDED,
    "formal_notice_sent": DossierStatus.FORMAL_NOTICE,
    "in_collection": DossierStatus.IN_COLLECTION,
    "cancelled": DossierStatus.CANCELLED,
    "permit_granted": DossierStatus.ACTIVE,
    "permit_expired": DossierStatus.EXPIRED,
    "permit_revoked": DossierStatus.REVOKED,
}
DECISION_EVENTS = {
    Decision.UPHELD: TimelineEventKind.DECIDED_UPHELD,
    Decision.PARTLY_UPHELD: TimelineEventKind.DECIDED_PARTLY,
    Decision.REJECTED: TimelineEventKind.DECIDED_REJECTED,
}


def _status_apply(dossier, update: dict, *, actor_label: str) -> str:
    """Apply one status update; returns the timeline kind that records it."""
    kind = update["type"]
    at = update.get("at")
    if kind == "paid_elsewhere":
        amount = update.get("amount_cents") or dossier.amount_due_cents
        if not amount:
            raise exceptions.ValidationError({"type": [_("Er staat niets meer open op dit dossier.")]})
        services.dossier_register_payment(
            dossier_id=dossier.pk, amount_cents=amount, actor_label=actor_label, at=at
        )
        return TimelineEventKind.PAID
    if kind == "decision":
        services.dossier_decide(
            dossier_id=dossier.pk,
            decision=update["decision"],
            motivation=update.get("motivation", ""),
            amount_cents=update.get("amount_cents"),
            actor_label=actor_label,
        )
        return DECISION_EVENTS[update["decision"]]
    to_status = _TRANSITIONS[kind]
    services.dossier_transition(
        dossier_id=dossier.pk,
        to_status=to_status,
        actor_label=actor_label,
        note=update.get("note", ""),
        at=at,
    )
    return dossier.policy.event_for(dossier.status, to_status) or kind


@extend_schema(tags=["dossiers"])
class DossierEvidence(ApiView):
    required_scope = ApiScope.EVIDENCE_WRITE
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer, 400: ErrorsSerializer},
    )
    def post(self, request, external_id: str):
        from forms.uploads import UploadLimits, upload_check

        dossier = selectors.api_dossier(organisation=self.organisation, external_id=external_id)
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checked = upload_check(
            serializer.validated_data["file"],
            limits=UploadLimits(max_files=1, max_size_mb=settings.API_EVIDENCE_MAX_MB),
        )
        evidence = services.evidence_add(
            dossier=dossier,
            content=checked.data,
            filename=checked.name,
            content_type=checked.content_type,
            caption=serializer.validated_data.get("caption", ""),
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class SubmissionCursor(CursorPagination):
    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema(tags=["submissions"])
class SubmissionExport(ApiView, generics.ListAPIView):
    """What citizens sent the organisation (questions, complaints, contests), for its own systems."""

    required_scope = ApiScope.SUBMISSIONS_READ
    serializer_class = SubmissionExportSerializer
    pagination_class = SubmissionCursor

    @extend_schema(parameters=[OpenApiParameter("updated_since", OpenApiTypes.DATETIME, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.api_submissions(
            organisation=self.organisation,
            updated_since=_query_datetime(self.request.query_params, "updated_since"),
        )
