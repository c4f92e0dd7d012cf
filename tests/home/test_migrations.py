import importlib

import pytest
from django.apps import apps
from wagtail.models import Locale

pytestmark = pytest.mark.django_db

content_locales = importlib.import_module("home.migrations.0002_content_locales")


def test_content_locales_migration_creates_the_four_languages():
    Locale.objects.exclude(language_code="nl").delete()

    content_locales.create_content_locales(apps, schema_editor=None)

    assert sorted(Locale.objects.values_list("language_code", flat=True)) == ["de", "en", "fr", "nl"]


def test_content_locales_migration_can_run_twice():
    content_locales.create_content_locales(apps, schema_editor=None)
    content_locales.create_content_locales(apps, schema_editor=None)

    assert Locale.objects.count() == 4


def test_migrated_database_has_the_content_locales():
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"nl", "fr", "en", "de"}
