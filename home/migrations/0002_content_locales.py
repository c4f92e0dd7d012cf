"""Data migration: the four content locales (Dutch source, French, English, German).

Every installation needs them, not only the demo: the Wagtail site serves /fr/, /en/ and /de/ from
translated trees. Wagtail's own migration already made the default locale ("nl" from LANGUAGE_CODE).
The codes are frozen here on purpose: a migration must not import application code.
Reversing leaves the locales alone: pages may already live in them. Tested in
tests/home/test_migrations.py.
"""

from django.db import migrations

CONTENT_LANGUAGES = ("nl", "fr", "en", "de")


def create_content_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for language_code in CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=language_code)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(create_content_locales, migrations.RunPython.noop),
    ]
