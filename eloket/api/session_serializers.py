"""The shapes of the parking-session API and of the rights check, for the OpenAPI document and for
responses. Input lines are validated by ``eloket.sessions.validate.session_validate``;
``SessionLineSerializer`` describes the same fields for the document (a test keeps both in step)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from eloket.api.serializers import FieldErrorSerializer
from eloket.models.parking import ParkingSession

RIGHTS_CHECK_MAX_PLATES = 100


class SessionLineSerializer(serializers.Serializer):
    """A session as a provider reports it (one NDJSON line, or the body of a PUT)."""

    session_id = serializers.CharField(max_length=100, help_text=_("Het id van de sessie bij de aanbieder."))
    plate = serializers.CharField(max_length=16)
    plate_country = serializers.CharField(
        required=False, min_length=2, max_length=2, help_text=_("Twee letters; standaard BE.")
    )
    municipality = serializers.CharField(help_text=_("NIS-code van de gemeente."))
    area = serializers.CharField(max_length=32, help_text=_("Code van de parkeerzone in die gemeente."))
    start = serializers.DateTimeField(
        help_text=_("Ten laatste 10 minuten na nu; mag in het verleden liggen.")
    )
    end = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_("Leeg of null zolang de sessie loopt; hoogstens 7 dagen na het begin."),
    )
    amount_paid_cents = serializers.IntegerField(required=False, min_value=0, max_value=10**8)
    customer_national_number = serializers.CharField(
        required=False, help_text=_("Rijksregister- of BIS-nummer van de klant, als de aanbieder het kent.")
    )
    customer_enterprise_number = serializers.CharField(
        required=False, help_text=_("Ondernemingsnummer (KBO) van de klant, als de aanbieder het kent.")
    )


class SessionResultSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    session_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    errors = serializers.DictField(child=FieldErrorSerializer(many=True), required=False)
    warnings = serializers.DictField(child=FieldErrorSerializer(many=True), required=False)
    cancelled_by_session = serializers.IntegerField(
        required=False, help_text=_("Eén sessie (PUT): de retributies die ze annuleerde.")
    )


class SessionSerializer(serializers.ModelSerializer):
    session_id = serializers.CharField(source="provider_session_id")
    provider = serializers.CharField(source="provider.name")
    municipality = serializers.CharField(source="municipality.nis_code")
    area = serializers.CharField(source="area_code")
    start = serializers.DateTimeField(source="start_at")
    end = serializers.DateTimeField(source="end_at", allow_null=True)
    amount_paid_cents = serializers.IntegerField(min_value=0)

    class Meta:
        model = ParkingSession
        fields = [
            "session_id",
            "provider",
            "plate",
            "plate_country",
            "municipality",
            "area",
            "start",
            "end",
            "amount_paid_cents",
            "received_at",
            "updated_at",
        ]


class RightsCheckQuerySerializer(serializers.Serializer):
    plate = serializers.ListField(
        child=serializers.CharField(max_length=16),
        min_length=1,
        max_length=RIGHTS_CHECK_MAX_PLATES,
        help_text=_("Herhaal de parameter voor meer nummerplaten (hoogstens 100)."),
        error_messages={
            "max_length": _(
                "Hoogstens {max_length} nummerplaten per verzoek; verdeel ze over meer verzoeken."
            )
        },
    )
    municipality = serializers.CharField(max_length=5, help_text=_("NIS-code."))
    zone = serializers.CharField(required=False, max_length=32, allow_blank=True)
    street = serializers.CharField(required=False, max_length=200, allow_blank=True)
    at = serializers.DateTimeField(required=False, help_text=_("Standaard: nu."))

    def validate(self, attrs):
        if not (attrs.get("zone") or attrs.get("street")):
            raise serializers.ValidationError({"zone": _("Geef de zone of de straat.")})
        return attrs


class RightsPermitSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)


class RightsSessionSerializer(serializers.Serializer):
    provider = serializers.CharField(help_text=_("De aanbieder die de sessie meldde."))
    session_id = serializers.CharField()
    area = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)


class RightSerializer(serializers.Serializer):
    plate = serializers.CharField(help_text=_("Zoals gevraagd."))
    covered = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=["permit", "session"], allow_null=True)
    permit = RightsPermitSerializer(allow_null=True)
    session = RightsSessionSerializer(allow_null=True)
    grace_minutes = serializers.IntegerField(
        min_value=0, help_text=_("De respijtminuten van het reglement, toegepast op sessies.")
    )


class RightsCheckSerializer(serializers.Serializer):
    """One plate asked: its answer at the top level too (as before there were many)."""

    plate = serializers.CharField(required=False)
    covered = serializers.BooleanField(required=False)
    reason = serializers.ChoiceField(choices=["permit", "session"], allow_null=True, required=False)
    permit = RightsPermitSerializer(allow_null=True, required=False)
    session = RightsSessionSerializer(allow_null=True, required=False)
    grace_minutes = serializers.IntegerField(min_value=0, required=False)
    results = RightSerializer(many=True, help_text=_("Eén antwoord per gevraagde nummerplaat, in volgorde."))
