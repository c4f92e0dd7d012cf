"""Columns of the admin's listings shared by our viewsets."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.admin.ui.tables import Column


class YesNoColumn(Column):
    """A yes/no field as a word in the admin's language, "ja" or "nee". Wagtail's ``BooleanColumn``
    draws an icon whose only text is ``True`` or ``False``, in English, whatever the admin's language;
    a field name in ``list_display`` shows ``True``/``False`` as text."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return "—"
        return _("ja") if value else _("nee")
