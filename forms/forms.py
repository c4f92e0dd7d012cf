"""Citizen-side Django forms: the submission form around an editor's fields, and the answer form.

The submission form is the editor's form (``FormPage.get_form_class``, keyed by the fields' stable
``clean_name``) with the fixed fields every form has: contact details for someone who is not logged
in, the contest reason for a contest or defence, the message, and the one-time token that makes a
double submit create one submission. The forms only validate; ``forms.services`` writes.
"""

from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.contrib.forms.forms import BaseForm

from eloket.constants import DossierKind
from forms.builder import MultipleFilesField
from forms.constants import CONTESTING_PURPOSES, ORAL_HEARING, ORAL_HEARING_REFUSED, ContestReason, Purpose
from forms.uploads import CheckedUpload, UploadLimits

MESSAGE_MAX_LENGTH = 5000
# Purposes where the editor's fields carry the substance and a free message is optional.
MESSAGE_OPTIONAL = frozenset({Purpose.NAME_DRIVER, Purpose.PAYMENT_PLAN})

REASON_LABELS = {
    Purpose.CONTEST: _("Waarom maakt u bezwaar?"),
    Purpose.DEFENCE: _("Waarom dient u verweer in?"),
}
MESSAGE_LABELS = {
    Purpose.QUESTION: _("Uw vraag"),
    Purpose.COMPLAINT: _("Uw klacht"),
    Purpose.CONTEST: _("Leg uit waarom"),
    Purpose.DEFENCE: _("Leg uit waarom"),
}


# The question the e-loket adds itself to a contest of a parking retribution ("I had paid by app"): the
# answer is stored in ``Submission.form_data`` under these keys (``PAID_BY_APP`` a boolean), shown to
# the clerk, and a yes starts the search for near sessions (``eloket.sessions.near``).
PAID_BY_APP = "paid_by_app"
PAID_BY_APP_PROVIDER = "paid_by_app_provider"
PAID_BY_APP_LABELS = {
    PAID_BY_APP: _("Betaald via een app of sms"),
    PAID_BY_APP_PROVIDER: _("Via welke app of sms-dienst"),
}
YES, NO = "yes", "no"


def asks_paid_by_app(*, purpose: str, dossier_kinds) -> bool:
    """A contest of a parking retribution asks whether the citizen had paid by app or SMS."""
    return purpose == Purpose.CONTEST and DossierKind.PARKING_RETRIBUTION in set(dossier_kinds or ())


def paid_by_app_fields() -> dict[str, forms.Field]:
    return {
        PAID_BY_APP: forms.ChoiceField(
            label=_("Had u betaald via een app of sms?"),
            choices=[(YES, _("Ja, ik had betaald via een app of sms")), (NO, _("Nee"))],
            widget=forms.RadioSelect,
            required=False,
            help_text=_(
                "Dan zoeken we uw parkeersessie op, ook als de zone of de nummerplaat net anders was."
            ),
        ),
        PAID_BY_APP_PROVIDER: forms.CharField(
            label=_("Als u ja antwoordde: via welke app of sms-dienst?"),
            max_length=100,
            required=False,
            help_text=_("Bijvoorbeeld 4411, EasyPark, Yellowbrick of Parkmobile."),
        ),
    }


ORAL_HEARING_LABELS = {ORAL_HEARING: _("Mondeling gehoord worden")}
# The editor's own checkbox of the demo's defence forms before the e-loket asked this itself: left out
# of the form, so that a fine of 70 euro or less does not offer it.
LEGACY_ORAL_HEARING_KEYS = frozenset({"ik_wil_mondeling_gehoord_worden"})


def offers_oral_hearing(*, purpose: str, dossier) -> bool:
    """A GAS defence offers an oral hearing only where the law allows one (the dossier's policy: a fine
    above 70 euro). Without a dossier (the editor's preview of a defence form) the question is shown."""
    if purpose != Purpose.DEFENCE:
        return False
    return dossier is None or dossier.policy.oral_hearing_allowed(dossier)


def oral_hearing_field() -> forms.Field:
    return forms.BooleanField(
        label=_("Ik wil mondeling gehoord worden"),
        required=False,
        help_text=_(
            "Uw boete is hoger dan 70 euro: u mag uw verweer ook mondeling toelichten bij de "
            "sanctionerend ambtenaar. U krijgt dan een uitnodiging met datum en plaats."
        ),
    )


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionFormBase(BaseForm):
    """Fixed fields come first, then the editor's fields, then the editor's file fields."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A GAS defence of a fine of 70 euro or less: an oral hearing sent anyway is refused, not ignored.
    refuses_oral_hearing = False

    def __init__(self, *args, limits: UploadLimits | None = None, **kwargs):
        self.limits = limits or UploadLimits()
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())

    @property
    def file_field_names(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, MultipleFilesField)]

    def clean(self):
        cleaned_data = super().clean()
        if self.refuses_oral_hearing and self.data.get(ORAL_HEARING) not in (None, "", "false", "off"):
            self.add_error(None, ValidationError(ORAL_HEARING_REFUSED, code="oral_hearing_not_allowed"))
        names = self.file_field_names
        total = sum(len(cleaned_data.get(name) or []) for name in names)
        if total > self.limits.max_files:
            message = ngettext(
                "U kunt hoogstens %(count)d bestand meesturen.",
                "U kunt hoogstens %(count)d bestanden meesturen.",
                self.limits.max_files,
            ) % {"count": self.limits.max_files}
            self.add_error(names[-1], ValidationError(message, code="too_many_files"))
        return cleaned_data

    def editor_data(self) -> dict:
        """The editor's fields by key, as stored in ``Submission.form_data``; files by their names."""
        fixed = set(SubmissionFormBase.base_fields) | {
            "contact_name",
            "contact_email",
            "contest_reason",
            "message",
            PAID_BY_APP,
            PAID_BY_APP_PROVIDER,
            ORAL_HEARING,
        }
        data = {}
        if ORAL_HEARING in self.fields:
            data[ORAL_HEARING] = bool(self.cleaned_data.get(ORAL_HEARING))
        answer = self.cleaned_data.get(PAID_BY_APP) if PAID_BY_APP in self.fields else ""
        if answer in (YES, NO):  # not answered: nothing stored
            data[PAID_BY_APP] = answer == YES
            provider = (self.cleaned_data.get(PAID_BY_APP_PROVIDER) or "").strip()
            if answer == YES and provider:
                data[PAID_BY_APP_PROVIDER] = provider
        for name, value in self.cleaned_data.items():
            if name in fixed:
                continue
            if name in self.file_field_names:
                value = [upload.name for upload in value or []]
            data[name] = value
        return data

    def uploads(self) -> list[CheckedUpload]:
        return [upload for name in self.file_field_names for upload in self.cleaned_data.get(name) or []]


def submission_form_class(
    *, page, purpose: str, anonymous: bool, dossier_kind: str = "", oral_hearing: bool = False
) -> type[SubmissionFormBase]:
    """The form a citizen fills in on ``page`` (``purpose`` may differ from the page's only in tests)
    about a dossier of ``dossier_kind`` (empty: the page's preview, which shows what its kinds ask).
    ``oral_hearing`` (``offers_oral_hearing``): a defence asks whether the citizen wants to be heard;
    a defence without it refuses the answer."""
    fields: dict = {}
    if anonymous:
        fields["contact_name"] = forms.CharField(label=_("Uw naam"), max_length=200)
        fields["contact_email"] = forms.EmailField(
            label=_("Uw e-mailadres"),
            help_text=_("We sturen een ontvangstbevestiging en ons antwoord naar dit adres."),
        )
    if purpose in CONTESTING_PURPOSES:
        fields["contest_reason"] = forms.ChoiceField(
            label=REASON_LABELS[purpose],
            choices=ContestReason.choices,
            widget=forms.RadioSelect,
            error_messages={"required": _("Kies een reden.")},
        )
    kinds = [dossier_kind] if dossier_kind else page.dossier_kinds
    if asks_paid_by_app(purpose=purpose, dossier_kinds=kinds):
        fields.update(paid_by_app_fields())
    fields["message"] = forms.CharField(
        label=MESSAGE_LABELS.get(purpose, _("Uw bericht")),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_LENGTH,
        required=purpose not in MESSAGE_OPTIONAL,
        error_messages={"required": _("Schrijf uw bericht.")},
    )
    if purpose == Purpose.DEFENCE:
        if oral_hearing:
            fields[ORAL_HEARING] = oral_hearing_field()
        else:
            fields["refuses_oral_hearing"] = True
    editor_fields = {
        key: field
        for key, field in page.get_form_class().base_fields.items()
        if not (purpose == Purpose.DEFENCE and key in LEGACY_ORAL_HEARING_KEYS)
    }
    files_last = sorted(editor_fields.items(), key=lambda item: isinstance(item[1], MultipleFilesField))
    fields.update(files_last)
    return type("SubmissionForm", (SubmissionFormBase,), fields)


class AnswerForm(forms.Form):
    """The citizen's answer when the clerk asks for more information."""

    body = forms.CharField(
        label=_("Uw antwoord"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={"required": _("Schrijf uw antwoord.")},
    )
    attachments = MultipleFilesField(
        label=_("Bijlagen"),
        required=False,
        help_text=_("Foto's (JPEG, PNG, WebP) of PDF."),
    )

    def __init__(self, *args, limits: UploadLimits | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["attachments"].limits = limits or UploadLimits()
