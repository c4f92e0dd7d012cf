from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from eloket.constants import DossierKind, DossierStatus, labels

SORT_CHOICES = [
    ("newest", _("Nieuwste eerst")),
    ("oldest", _("Oudste eerst")),
    ("deadline", _("Eerstvolgende termijn")),
    ("amount", _("Hoogste bedrag")),
]


class PlainSelect(forms.Select):
    """A <select> rendered in Python: Django's template per <option> cost more than the overview's
    whole table (docs/performance.md). Flat choices only."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) in selected else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class OverviewFilterForm(forms.Form):
    """The overview's filters. Municipality choices are the ones the party has dossiers in."""

    kind = forms.ChoiceField(label=_("Soort"), required=False, widget=PlainSelect)
    municipality = forms.TypedChoiceField(
        label=_("Gemeente"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)
    sort = forms.ChoiceField(label=_("Sorteren"), required=False, choices=SORT_CHOICES, widget=PlainSelect)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        self.fields["kind"].choices = everything + list(labels(DossierKind).items())
        self.fields["status"].choices = everything + list(labels(DossierStatus).items())
        self.fields["municipality"].choices = everything + [(m.pk, m.name) for m in municipalities]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"sort": "newest"}
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or None,
            "municipality_id": data.get("municipality"),
            "status": data.get("status") or None,
            "sort": data.get("sort") or "newest",
        }
