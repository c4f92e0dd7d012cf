from django import forms
from django.utils.translation import gettext_lazy as _

from eloket.constants import DossierKind, DossierStatus

SORT_CHOICES = [
    ("newest", _("Nieuwste eerst")),
    ("oldest", _("Oudste eerst")),
    ("deadline", _("Eerstvolgende termijn")),
    ("amount", _("Hoogste bedrag")),
]


class OverviewFilterForm(forms.Form):
    """The overview's filters. Municipality choices are the ones the party has dossiers in."""

    kind = forms.ChoiceField(label=_("Soort"), required=False)
    municipality = forms.TypedChoiceField(label=_("Gemeente"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(label=_("Sorteren"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        self.fields["kind"].choices = everything + list(DossierKind.choices)
        self.fields["status"].choices = everything + list(DossierStatus.choices)
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
