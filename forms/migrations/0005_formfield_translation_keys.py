"""Give every existing form field the locale of its page and a translation key shared with the same
field (same ``clean_name``) in the page's other translations, so wagtail-localize can translate the
fields' labels and keep matching them. Before this, fields were synchronised, never translated."""

import uuid

from django.db import migrations


def form_field_translation_keys(apps, schema_editor):
    FormField = apps.get_model("eloket_forms", "FormField")
    Page = apps.get_model("wagtailcore", "Page")  # not FormPage: its historical model cannot be built
    fields = list(FormField.objects.order_by("id"))
    pages = {
        pk: (translation_key, locale_id)
        for pk, translation_key, locale_id in Page.objects.filter(
            pk__in={field.page_id for field in fields}
        ).values_list("pk", "translation_key", "locale_id")
    }
    keys: dict[tuple, uuid.UUID] = {}
    for field in fields:
        page_key, locale_id = pages[field.page_id]
        field.translation_key = keys.setdefault((page_key, field.clean_name or f"#{field.pk}"), uuid.uuid4())
        field.locale_id = locale_id
        field.save(update_fields=["translation_key", "locale"])


class Migration(migrations.Migration):
    dependencies = [
        ("eloket_forms", "0004_formfield_translatable_bootstrap"),
    ]

    operations = [
        migrations.RunPython(form_field_translation_keys, migrations.RunPython.noop),
    ]
