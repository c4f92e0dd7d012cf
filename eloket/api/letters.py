"""The API of letters by post (docs/letters.md): a city system gives the postal address of a dossier's
plate holder, and fetches its organisation's daily batches (the manifest, then each PDF) for the
print house. Every read is scoped to the key's organisation."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from eloket.api import selectors
from eloket.api.views import ApiView
from eloket.letters.services import batch_manifest
from eloket.models import ApiScope, LetterBatch, PostalAddress


class PostalAddressSerializer(serializers.ModelSerializer):
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, default="BE")

    class Meta:
        model = PostalAddress
        fields = ["name", "street", "postal_code", "town", "country"]


class ManifestRowSerializer(serializers.Serializer):
    letter_id = serializers.IntegerField()
    file = serializers.CharField()
    dossier = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    pages = serializers.IntegerField()
    amount_cents = serializers.IntegerField()
    name = serializers.CharField()
    street = serializers.CharField()
    postal_code = serializers.CharField()
    town = serializers.CharField()
    country = serializers.CharField()


class LetterBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.DateField()
    letters = ManifestRowSerializer(many=True)
    skipped = serializers.ListField(child=serializers.CharField())


@extend_schema(tags=["letters"])
class DossierPostalAddress(ApiView):
    """Where the dossier's letters go: the plate holder's address as the city system found it."""

    required_scope = ApiScope.DOSSIERS_WRITE

    @extend_schema(request=PostalAddressSerializer, responses={200: PostalAddressSerializer})
    def put(self, request, external_id: str):
        dossier = selectors.api_dossier(organisation=self.organisation, external_id=external_id)
        instance = PostalAddress.objects.filter(dossier=dossier).first()
        serializer = PostalAddressSerializer(instance, data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(dossier=dossier)
        return Response(serializer.data, status=status.HTTP_200_OK)


def _batches(organisation):
    return LetterBatch.objects.filter(organisation=organisation)


@extend_schema(tags=["letters"])
class LetterBatchList(ApiView):
    """The organisation's batches, newest first (the last 60 days), each with its manifest."""

    required_scope = ApiScope.LETTERS_READ

    @extend_schema(responses={200: LetterBatchSerializer(many=True)})
    def get(self, request):
        batches = _batches(self.organisation).order_by("-day")[:60]
        data = [
            {"id": batch.pk, "day": batch.day, "letters": batch_manifest(batch), "skipped": batch.skipped}
            for batch in batches
        ]
        return Response(LetterBatchSerializer(data, many=True).data)


@extend_schema(tags=["letters"])
class LetterPdf(ApiView):
    """One letter of a batch, as the PDF to print."""

    required_scope = ApiScope.LETTERS_READ

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="De brief")})
    def get(self, request, batch_id: int, letter_id: int):
        batch = get_object_or_404(_batches(self.organisation), pk=batch_id)
        letter = get_object_or_404(batch.letters.select_related("dossier"), pk=letter_id)
        return FileResponse(
            letter.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{letter.dossier.reference}-{letter.kind}.pdf",
        )
