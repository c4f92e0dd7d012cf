"""The form builder: Wagtail's field types plus a field for photos and PDF files.

Wagtail's ``FormBuilder`` has no file field. ``files`` fields here accept several files at once and
clean to a list of ``forms.uploads.CheckedUpload`` (type from the bytes, size, virus scan), so an
invalid file is a field error before anything is stored. The form page passes its limits in.
"""

from __future__ import annotations

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.contrib.forms.forms import FormBuilder, WagtailAdminFormPageForm

from eloket.constants import DossierKind
from forms.uploads import ACCEPT_ATTRIBUTE, UploadLimits, uploads_check


class MultipleFileInput(django_forms.ClearableFileInput):
    """A file input that lets the citizen pick several files (Django 5.2 needs the flag on a subclass)."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__(attrs={"accept": ACCEPT_ATTRIBUTE, **(attrs or {})})


class MultipleFilesField(django_forms.FileField):
    """Several files in one field; cleans to a list of checked uploads (possibly empty)."""

    widget = MultipleFileInput
    default_error_messages = {"required": _("Voeg minstens één bestand toe.")}

    def __init__(self, *args, limits: UploadLimits | None = None, **kwargs):
        self.limits = limits or UploadLimits()
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        for file in files:
            django_forms.FileField.to_python(self, file)  # Django's own checks: a name, not empty
        return uploads_check(files, limits=self.limits)

    def bound_data(self, _data, initial):
        return initial  # a file input is never pre-filled


class EloketFormBuilder(FormBuilder):
    """Wagtail's builder with the ``files`` type; ``limits`` come from the form page."""

    def __init__(self, fields, *, limits: UploadLimits | None = None):
        super().__init__(fields)
        self.limits = limits or UploadLimits()

    # Called for ``FileFieldType.FILES`` by Wagtail's lookup of ``create_<type>_field``.
    def create_files_field(self, field, options):
        options.pop("initial", None)
        hint = ngettext(
            "Foto's (JPEG, PNG, WebP) of PDF; hoogstens %(count)d bestand van %(size)d MB.",
            "Foto's (JPEG, PNG, WebP) of PDF; hoogstens %(count)d bestanden van elk %(size)d MB.",
            self.limits.max_files,
        ) % {"count": self.limits.max_files, "size": self.limits.max_size_mb}
        options["help_text"] = f"{options['help_text']} {hint}".strip() if options.get("help_text") else hint
        return MultipleFilesField(limits=self.limits, **options)


# Names of the fields every form has (forms.forms.SubmissionForm); an editor's field may not take one.
RESERVED_KEYS = frozenset(
    {
        "contest_reason",
        "message",
        "contact_name",
        "contact_email",
        "idempotency_key",
        "website",
        "paid_by_app",
        "paid_by_app_provider",
        "oral_hearing",
    }
)


class FormPageAdminForm(WagtailAdminFormPageForm):
    """The form page's edit form in the admin: dossier kinds as checkboxes, editor's field keys that do
    not clash with the fixed fields, and (for a new page) an organisation that serves the city."""

    dossier_kinds = django_forms.MultipleChoiceField(
        label=_("soorten dossier"),
        choices=DossierKind.choices,
        widget=django_forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Voor welke soorten dossier dit formulier dient. Leeg: een vraag zonder dossier."),
    )

    def clean(self):
        cleaned_data = super().clean()
        self._check_reserved_keys()
        if not self.instance.path and self.parent_page is not None:
            # An existing page checks this in FormPage.clean; a new one has no place in the tree yet.
            from forms.models import form_page_errors

            errors = form_page_errors(
                purpose=cleaned_data.get("purpose", ""),
                dossier_kinds=[],
                organisation=cleaned_data.get("organisation"),
                parent=self.parent_page.specific,
            )
            if "organisation" in errors:
                self.add_error("organisation", errors["organisation"])
        return cleaned_data

    def _check_reserved_keys(self) -> None:
        formset = self.formsets.get("form_fields")
        if formset is None:
            return
        for form in formset.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            key = form.instance.clean_name or form.instance.get_field_clean_name()
            if key in RESERVED_KEYS:
                form.add_error(
                    "label",
                    _("Elk formulier heeft al een veld '%(key)s'. Kies een ander label.") % {"key": key},
                )
