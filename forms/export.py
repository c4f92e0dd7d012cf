"""The clerk inbox as CSV or XLSX: the filtered rows, the same scope as the screen.

No national numbers (a submission has none) and no e-mail addresses: the reference, the dossier and
the contact's name are enough to find the rest in the admin. Cells a spreadsheet would read as a
formula (``=``, ``+``, ``-``, ``@``) are prefixed with a quote.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from eloket.constants import DossierKind, labels
from forms.constants import OPEN_STATUSES, Purpose, SubmissionStatus

EXPORT_FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_header() -> list[str]:
    return [
        _("Referentie"),
        _("Ontvangen"),
        _("Doel"),
        _("Status"),
        _("Dossier"),
        _("Soort dossier"),
        _("Gemeente"),
        _("Naam"),
        _("Team"),
        _("Behandelaar"),
        _("Te behandelen voor"),
        _("Over tijd"),
        _("Laattijdig ingediend"),
        _("Wettelijke termijn"),
    ]


def export_rows(queryset) -> Iterator[list[str]]:
    """The header, then one row per submission (read in chunks: the export may be large)."""
    today = timezone.localdate()
    purposes, statuses, kinds = labels(Purpose), labels(SubmissionStatus), labels(DossierKind)
    yes, no = _("ja"), _("nee")
    yield export_header()
    for submission in queryset.iterator(chunk_size=2000):
        overdue = bool(
            submission.clerk_due and submission.clerk_due < today and submission.status in OPEN_STATUSES
        )
        assignee = submission.assignee
        yield [
            _safe(value)
            for value in (
                submission.reference,
                timezone.localtime(submission.submit_time).strftime("%Y-%m-%d %H:%M"),
                purposes.get(submission.purpose, submission.purpose),
                statuses.get(submission.status, submission.status),
                submission.dossier.reference if submission.dossier_id else "",
                kinds.get(submission.dossier_kind, ""),
                submission.municipality.name if submission.municipality_id else "",
                submission.contact_name,
                submission.team.name if submission.team_id else "",
                (assignee.get_full_name() or assignee.get_username()) if assignee else "",
                submission.clerk_due.isoformat() if submission.clerk_due else "",
                yes if overdue else no,
                yes if submission.filed_late else no,
                submission.legal_due.isoformat() if submission.legal_due else "",
            )
        ]


def xlsx_response(rows: Iterable[list[str]], *, filename: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Inzendingen")[:31])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
