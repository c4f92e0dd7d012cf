from django import forms
from django.utils.translation import gettext_lazy as _


class CitySearchForm(forms.Form):
    """The home page's "find your city" box: a plain GET form, filtered on the server."""

    q = forms.CharField(label=_("Naam of postcode"), max_length=100, required=False, strip=True)
