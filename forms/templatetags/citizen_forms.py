"""Rendering citizen form fields accessibly: a label (or a fieldset with legend for a group of radio
buttons or checkboxes), help text and errors tied to the control with ``aria-describedby``."""

from __future__ import annotations

from django import forms, template

register = template.Library()

GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _ids(field) -> tuple[str, str]:
    return f"{field.auto_id}_helptext", f"{field.auto_id}_error"


@register.inclusion_tag("eloket_forms/includes/field.html")
def form_field(field):
    help_id, error_id = _ids(field)
    described = " ".join(
        element_id
        for element_id, present in ((help_id, field.help_text), (error_id, field.errors))
        if present
    )
    widget = field.field.widget
    is_group = isinstance(widget, GROUP_WIDGETS)
    attrs = {"aria-describedby": described} if described and not is_group else {}
    return {
        "field": field,
        "control": field.as_widget(attrs=attrs),
        "is_group": is_group,
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
        "described": described,
        "help_id": help_id,
        "error_id": error_id,
    }


@register.filter
def error_anchor(field) -> str:
    """Where the error summary links to: the first radio or checkbox of a group, else the control."""
    if isinstance(field.field.widget, GROUP_WIDGETS):
        return f"{field.auto_id}_0"
    return field.auto_id


@register.simple_tag
def dossier_submissions(dossier):
    """The party's submissions about ``dossier`` (the dossier page was already scoped to the party)."""
    from forms.selectors import submission_list

    return list(submission_list(party=dossier.party).filter(dossier=dossier)[:20])
