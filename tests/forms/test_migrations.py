"""The data migration that made form fields translatable (forms 0005)."""

import importlib
import uuid

import pytest
from django.apps import apps

from forms.constants import Purpose
from forms.models import FormField
from tests.forms.citizen_helpers import form_page_make

pytestmark = pytest.mark.django_db

migration = importlib.import_module("forms.migrations.0005_formfield_translation_keys")


def test_existing_form_fields_get_their_pages_locale_and_one_key_per_field_across_translations(
    genk_page, genk_city, locales, translate
):
    page = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.QUESTION, kinds=[])
    translate(genk_page.get_parent(), locales["fr"])
    translate(genk_page, locales["fr"])
    french = translate(page, locales["fr"])
    other = form_page_make(parent=genk_page, organisation=genk_city, purpose=Purpose.COMPLAINT, kinds=[],
                           fields=[("Onderwerp", "singleline", True)])  # fmt: skip
    # As before the migration: unrelated keys, and (for the French copy) the Dutch locale.
    for field in FormField.objects.all():
        FormField.objects.filter(pk=field.pk).update(translation_key=uuid.uuid4(), locale=locales["nl"])
    FormField.objects.filter(page=french).update(locale=locales["de"])

    migration.form_field_translation_keys(apps, schema_editor=None)

    dutch_field = FormField.objects.get(page=page, clean_name="onderwerp")
    french_field = FormField.objects.get(page=french, clean_name="onderwerp")
    other_field = FormField.objects.get(page=other, clean_name="onderwerp")
    assert dutch_field.translation_key == french_field.translation_key != other_field.translation_key
    assert (dutch_field.locale, french_field.locale) == (locales["nl"], locales["fr"])
