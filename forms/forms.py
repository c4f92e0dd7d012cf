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

from forms.builder import MultipleFilesField
from forms.constants import CONTESTING_PURPOSES, ContestReason, Purpose
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


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionFormBase(BaseForm):
    """Fixed fields come first, then the editor's fields, then the editor's file fields."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

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
        }
        data = {}
        for name, value in self.cleaned_data.items():
            if name in fixed:
                continue
            if name in self.file_field_names:
                value = [upload.name for upload in value or []]
            data[name] = value
        return data

    def uploads(self) -> list[CheckedUpload]:
        return [upload for name in self.file_field_names for upload in self.cleaned_data.get(name) or []]


def submission_form_class(*, page, purpose: str, anonymous: bool) -> type[SubmissionFormBase]:
    """The form a citizen fills in on ``page`` (``purpose`` may differ from the page's only in tests)."""
    fields: dict[str, forms.Field] = {}
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
    fields["message"] = forms.CharField(
        label=MESSAGE_LABELS.get(purpose, _("Uw bericht")),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_LENGTH,
        required=purpose not in MESSAGE_OPTIONAL,
        error_messages={"required": _("Schrijf uw bericht.")},
    )
    editor_fields = dict(page.get_form_class().base_fields)
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
