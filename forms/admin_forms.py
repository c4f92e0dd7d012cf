"""Forms of the clerk screens: the inbox filters and the actions on a submission.

Choices that name people or places are limited to the clerk's own organisations (``forms.inbox``).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from eloket.constants import Decision, DossierKind, Language
from eloket.forms import PlainSelect
from eloket.selectors import staff_organisations
from forms import inbox
from forms.constants import Purpose, SubmissionStatus
from forms.models import Team

BLANK = [("", _("Alle"))]


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


NATIVE_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Zoeken"),
        required=False,
        max_length=40,
        help_text=_("Referentie van de inzending of het dossier, of een nummerplaat"),
    )
    # Selects rendered in Python (eloket.forms.PlainSelect), as in the citizen's overview.
    status = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)
    purpose = forms.ChoiceField(
        label=_("Doel"), required=False, choices=[*BLANK, *Purpose.choices], widget=PlainSelect
    )
    dossier_kind = forms.ChoiceField(
        label=_("Soort dossier"), required=False, choices=[*BLANK, *DossierKind.choices], widget=PlainSelect
    )
    municipality = forms.TypedChoiceField(
        label=_("Gemeente"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    assignee = forms.ChoiceField(label=_("Behandelaar"), required=False, widget=PlainSelect)
    overdue = forms.BooleanField(label=_("Alleen over tijd"), required=False)
    filed_late = forms.BooleanField(label=_("Alleen laattijdig ingediend"), required=False)
    # The browser's own date picker: accessible, and no widget configuration to render per request.
    received_from = forms.DateField(label=_("Ontvangen vanaf"), required=False, widget=NATIVE_DATE)
    received_to = forms.DateField(label=_("Ontvangen tot en met"), required=False, widget=NATIVE_DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["status"].choices = [
            *BLANK,
            (inbox.STATUS_OPEN, _("Open (alles wat nog te doen is)")),
            *SubmissionStatus.choices,
        ]
        self.fields["municipality"].choices = [
            *BLANK,
            *((m.pk, m.name) for m in inbox.clerk_municipalities(user=user)),
        ]
        self.fields["assignee"].choices = [
            *BLANK,
            (inbox.ASSIGNEE_ME, _("Mij")),
            (inbox.ASSIGNEE_NOBODY, _("Niemand")),
            *((str(u.pk), _user_label(u)) for u in inbox.clerks_of_organisations(user=user)),
        ]

    def filters(self) -> inbox.InboxFilters:
        """The valid part of what was asked (an invalid field is ignored, and shown as an error)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return inbox.InboxFilters(
            status=data.get("status") or "",
            purpose=data.get("purpose") or "",
            dossier_kind=data.get("dossier_kind") or "",
            municipality_id=data.get("municipality"),
            assignee=data.get("assignee") or "",
            overdue=bool(data.get("overdue")),
            filed_late=bool(data.get("filed_late")),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=data.get("q") or "",
        )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Toewijzen aan"), coerce=int, empty_value=None, required=False, widget=PlainSelect
    )

    def __init__(self, *args, clerks, **kwargs):
        super().__init__(*args, **kwargs)
        self.clerks = {user.pk: user for user in clerks}
        self.fields["assignee"].choices = [
            ("", _("Niemand")),
            *((pk, _user_label(user)) for pk, user in self.clerks.items()),
        ]

    def assignee_user(self):
        return self.clerks.get(self.cleaned_data.get("assignee"))


class BulkAssignForm(AssignForm):
    submissions = forms.MultipleChoiceField(
        label=_("Inzendingen"), error_messages={"required": _("Kies minstens één inzending.")}
    )

    def __init__(self, *args, references, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submissions"].choices = [(reference, reference) for reference in references]


class MessageForm(forms.Form):
    """A reply or an information request. ``preview`` shows the e-mail first; ``send`` sends it."""

    KIND_REPLY = "reply"
    KIND_REQUEST = "request_information"

    kind = forms.ChoiceField(
        label=_("Soort bericht"),
        choices=[(KIND_REPLY, _("Antwoord")), (KIND_REQUEST, _("Informatie vragen"))],
        widget=forms.RadioSelect,
        initial=KIND_REPLY,
    )
    body = forms.CharField(label=_("Bericht aan de burger"), widget=forms.Textarea(attrs={"rows": 8}))
    close = forms.BooleanField(
        label=_("Afsluiten na dit antwoord"),
        required=False,
        help_text=_("Voor een vraag of klacht die hiermee beantwoord is."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.KIND_REQUEST:
            data["close"] = False
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslissing"), choices=Decision.choices, widget=forms.RadioSelect)
    amount_eur = forms.DecimalField(
        label=_("Nieuw bedrag (euro)"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=9,
        localize=True,
        help_text=_("Alleen bij een gedeeltelijk gegronde beslissing."),
    )
    motivation = forms.CharField(
        label=_("Motivering"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("De burger krijgt deze motivering per e-mail en in het e-loket."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.PARTLY_UPHELD and data.get("amount_eur") is None:
            self.add_error("amount_eur", _("Geef het nieuwe bedrag."))
        return data

    def amount_cents(self) -> int | None:
        amount = self.cleaned_data.get("amount_eur")
        return int(amount * 100) if amount is not None else None


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Notitie (intern)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Waarom u afsluit. De burger ziet deze notitie niet."),
    )


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Naam van de filter"), max_length=100)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


# --- the organisation's triage settings (routing rules, terms, replies, teams) ------------------------


class OrganisationScopedForm(WagtailAdminModelForm):
    """Organisation choices limited to the user's organisations; teams, clerks and municipalities to
    theirs. Wagtail passes ``for_user``."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        organisations = staff_organisations(user=for_user) if for_user else None
        if organisations is None:
            return
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = organisations.order_by("name_nl")
        if "team" in self.fields:
            self.fields["team"].queryset = Team.objects.filter(organisation__in=organisations.values("pk"))
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = inbox.clerks_of_organisations(user=for_user)
        if "municipality" in self.fields:
            self.fields["municipality"].queryset = inbox.clerk_municipalities(user=for_user)
        if "members" in self.fields:
            self.fields["members"].queryset = inbox.clerks_of_organisations(user=for_user)

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        if organisation is None:
            return data
        team = data.get("team")
        if team is not None and team.organisation_id != organisation.pk:
            self.add_error("team", _("Dit team hoort niet bij deze organisatie."))
        assignee = data.get("assignee")
        if assignee is not None and not assignee.staff_memberships.filter(organisation=organisation).exists():
            self.add_error("assignee", _("Deze persoon behandelt geen inzendingen van deze organisatie."))
        members = data.get("members")
        if members is not None:
            outsiders = [
                m for m in members if not m.staff_memberships.filter(organisation=organisation).exists()
            ]
            if outsiders:
                raise ValidationError(
                    {"members": _("Alleen medewerkers van deze organisatie kunnen lid zijn van het team.")}
                )
        return data


class StandardReplyForm(OrganisationScopedForm):
    language = forms.ChoiceField(label=_("Taal"), choices=Language.choices)
