"""The citizen's mail preferences form: labels and hints in plain language (nl source)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from eloket.constants import Language, MailFrequency


class MailPreferencesForm(forms.Form):
    mail_new_dossier = forms.BooleanField(
        label=_("Als er een nieuw dossier op mijn naam komt"),
        required=False,
    )
    mail_updates = forms.BooleanField(
        label=_(
            "Als er iets verandert dat ik moet weten: een beslissing, een annulatie, een betaling, "
            "een herinnering van de organisatie"
        ),
        required=False,
    )
    mail_reminders = forms.BooleanField(
        label=_("Een herinnering een paar dagen voor een betaal- of bezwaartermijn afloopt"),
        required=False,
    )
    mail_frequency = forms.ChoiceField(
        label=_("Hoe vaak?"),
        choices=MailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Met één overzicht per dag krijgt u alle berichten van die dag samen in één e-mail."),
    )
    language = forms.ChoiceField(
        label=_("In welke taal?"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        help_text=_("De taal van de e-mails. De brieven van de organisaties blijven in hun eigen taal."),
    )

    @classmethod
    def for_party(cls, party, data=None) -> MailPreferencesForm:
        initial = {name: getattr(party, name) for name in cls.base_fields}
        return cls(data=data, initial=initial)
