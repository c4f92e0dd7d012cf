"""The shapes of the API, for the OpenAPI document and for responses.

Input lines are validated by ``eloket.ingest.line_validate`` (one validator for the API, the bulk
stream and the import command); ``DossierLineSerializer`` describes the same fields for the document,
and a test keeps both in step (tests/eloket/api/test_schema.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from eloket.constants import Decision, DossierKind, DossierStatus, Language
from eloket.models import Dossier


class PartySerializer(serializers.Serializer):
    national_number = serializers.CharField(required=False, help_text=_("Rijksregister- of BIS-nummer."))
    enterprise_number = serializers.CharField(required=False, help_text=_("Ondernemingsnummer (KBO)."))
    name = serializers.CharField(required=False, max_length=200)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    establishment_unit = serializers.CharField(required=False, max_length=10)


class DossierLineSerializer(serializers.Serializer):
    """A dossier as a city system sends it (one NDJSON line, or the body of a PUT)."""

    external_id = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=DossierKind.choices)
    municipality = serializers.CharField(help_text=_("NIS-code van de gemeente van de feiten."))
    party = PartySerializer(help_text=_("De houder van de nummerplaat op het moment van de feiten."))
    regulation = serializers.CharField(required=False, help_text=_("Code van het reglement."))
    status = serializers.ChoiceField(choices=DossierStatus.choices, required=False)
    notified_at = serializers.DateTimeField(required=False)
    issued_at = serializers.DateTimeField(required=False)
    ogm = serializers.CharField(required=False, help_text=_("Gestructureerde mededeling op de brief."))
    amount_cents = serializers.IntegerField(required=False, min_value=0, max_value=10**8)
    plate = serializers.CharField(required=False, max_length=16)
    extra_plates = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, max_length=20
    )
    street = serializers.CharField(required=False, max_length=200)
    house_number = serializers.CharField(required=False, max_length=16)
    zone_code = serializers.CharField(required=False, max_length=32)
    latitude = serializers.DecimalField(required=False, max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(required=False, max_digits=9, decimal_places=6)
    occurred_at = serializers.DateTimeField(required=False)
    valid_from = serializers.DateTimeField(required=False)
    valid_until = serializers.DateTimeField(required=False)
    offence_code = serializers.CharField(required=False, max_length=32)
    offence_description = serializers.CharField(required=False, max_length=255)
    gas_category = serializers.IntegerField(required=False, min_value=1, max_value=4)
    speed_limit_kmh = serializers.IntegerField(required=False, min_value=5, max_value=200)
    measured_speed_kmh = serializers.IntegerField(required=False, min_value=1, max_value=400)
    built_up_area = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    pay_by = serializers.DateField(required=False)
    contest_by = serializers.DateField(required=False)


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class LineResultSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    reference = serializers.CharField(required=False)
    dossier_status = serializers.CharField(required=False)
    errors = serializers.DictField(child=FieldErrorSerializer(many=True), required=False)


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(child=FieldErrorSerializer(many=True))


class DossierSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.nis_code")
    # Declared, not derived from the model: the derived bounds differ per database vendor.
    amount_original_cents = serializers.IntegerField(min_value=0)
    costs_cents = serializers.IntegerField(min_value=0)
    amount_paid_cents = serializers.IntegerField(min_value=0)
    amount_due_cents = serializers.IntegerField()
    party = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "external_id",
            "reference",
            "kind",
            "status",
            "municipality",
            "party",
            "plate",
            "extra_plates",
            "street",
            "house_number",
            "zone_code",
            "occurred_at",
            "valid_from",
            "valid_until",
            "amount_original_cents",
            "costs_cents",
            "amount_paid_cents",
            "amount_due_cents",
            "ogm",
            "pay_by",
            "contest_by",
            "created_at",
            "updated_at",
        ]

    def get_party(self, dossier) -> dict:
        # Masked: the source system knows the number it sent; the API never sends one back.
        return {"kind": dossier.party.kind, "identifier": dossier.party.identifier_masked}


STATUS_UPDATES = {
    "notified": _("De brief is verstuurd."),
    "reminder_sent": _("Een herinnering is verstuurd."),
    "formal_notice_sent": _("Een aangetekende aanmaning is verstuurd."),
    "in_collection": _("Overgedragen voor invordering."),
    "paid_elsewhere": _("Betaald buiten het e-loket."),
    "cancelled": _("Geannuleerd door de organisatie."),
    "decision": _("Beslissing over bezwaar of verweer."),
    "permit_granted": _("Vergunning toegekend."),
    "permit_expired": _("Vergunning verlopen."),
    "permit_revoked": _("Vergunning ingetrokken."),
}


class StatusUpdateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted(STATUS_UPDATES))
    at = serializers.DateTimeField(required=False, help_text=_("Wanneer het gebeurde (standaard: nu)."))
    amount_cents = serializers.IntegerField(required=False, min_value=1, max_value=10**8)
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    motivation = serializers.CharField(required=False, max_length=5000, allow_blank=True)
    note = serializers.CharField(required=False, max_length=2000, allow_blank=True)

    def validate(self, attrs):
        if attrs["type"] == "decision" and not attrs.get("decision"):
            raise serializers.ValidationError({"decision": _("Geef de beslissing.")})
        return attrs


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    caption = serializers.CharField(required=False, max_length=200, allow_blank=True)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = serializers.CharField()
    caption = serializers.CharField()
    created_at = serializers.DateTimeField()


class SubmissionExportSerializer(serializers.Serializer):
    reference = serializers.CharField()
    submitted_at = serializers.DateTimeField(source="submit_time")
    purpose = serializers.CharField()
    status = serializers.CharField()
    dossier_reference = serializers.CharField(source="dossier.reference", allow_null=True, default=None)
    dossier_external_id = serializers.CharField(source="dossier.external_id", allow_null=True, default=None)
    contact_name = serializers.CharField()
    language = serializers.CharField()
    contest_reason = serializers.CharField()
    message = serializers.CharField()
    answers = serializers.JSONField(source="form_data")
    decision = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
