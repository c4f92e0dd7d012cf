"""``{% status_badge dossier.status %}``: the status of a dossier with its group (``STATUS_GROUPS``), as
the overview and the dossier page both show it."""

from django import template
from django.template.loader import get_template
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from eloket.constants import STATUS_GROUPS, DossierStatus, StatusGroup, labels
from eloket.money import format_eur

register = template.Library()

BADGE_TEMPLATE = "eloket/includes/status_badge.html"


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """The badge of ``status``. The group's text is left out where the status already starts with it
    ("Geannuleerd: geldige vergunning" needs no "Geannuleerd" before it).

    A badge depends on nothing but the status and the language: rendered once per process and
    language (fifty rows of the overview would otherwise render the template fifty times)."""
    key = (translation.get_language(), status)
    badge = _rendered.get(key)
    if badge is None:
        badge = _rendered[key] = _render(status)
    return badge


_rendered: dict[tuple[str | None, str], SafeString] = {}


def _render(status: str) -> SafeString:
    group = STATUS_GROUPS[status]
    group_label = labels(StatusGroup)[group]
    status_label = labels(DossierStatus)[status]
    return get_template(BADGE_TEMPLATE).render(
        {
            "group": group,
            "group_label": group_label,
            "status_label": status_label,
            "show_group": not status_label.casefold().startswith(group_label.casefold()),
        }
    )


@register.simple_tag
def overview_rows(dossiers, url_prefix: str) -> SafeString:
    """The overview's table rows, one per dossier: reference (a link), kind, municipality, the date the
    overview sorts on (``overview_date``: the facts, else the start of validity, else arrival),
    status badge and amount due; each cell labelled for the narrow layout (``data-label``).

    Python rather than template nodes: the overview is the page everyone opens, and fifty rows of
    template lookups cost it more than its queries (docs/performance.md)."""
    cells = [_("Dossier"), _("Soort"), _("Gemeente"), _("Datum"), _("Status"), _("Te betalen")]
    return mark_safe("\n".join(_row(dossier, cells, url_prefix) for dossier in dossiers))  # noqa: S308 - format_html


_ROW = (
    '<tr><td data-label="{}" class="reference"><a href="{}{}/">{}</a></td><td data-label="{}">{}</td>'
    '<td data-label="{}">{}</td><td data-label="{}" class="date">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}" class="amount">{}</td></tr>'
)


def _row(dossier, cells: list[str], url_prefix: str) -> SafeString:
    return format_html(
        _ROW,
        cells[0], url_prefix, dossier.reference, dossier.reference,
        cells[1], dossier.kind_label,
        cells[2], dossier.municipality.name,
        cells[3], _shown_date(dossier),
        cells[4], status_badge(dossier.status),
        cells[5], format_eur(dossier.amount_due_cents),
    )  # fmt: skip


def _shown_date(dossier) -> str:
    """``overview_date()`` as the table shows it, in the local time of Belgium."""
    moment = dossier.occurred_at or dossier.valid_from or dossier.created_at
    return dateformat.format(timezone.localtime(moment), "j F Y")
