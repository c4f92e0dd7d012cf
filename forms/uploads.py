"""Files citizens upload with a submission or an answer: checked before anything is written.

``uploads_check`` reads every file, recognises its type from the bytes (``filetype``, never the name or
the browser's claim), applies the form's size and count limits and has it scanned (``forms.scan``). It
raises one ``ValidationError`` with a message in the citizen's language for everything that is wrong,
so a form shows all problems at once and nothing is stored. ``attachment_store`` writes a checked file
to private storage under a random name; ``attachments_delete_files`` removes stored files again when
the transaction that made them fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forms.constants import DEFAULT_MAX_FILE_MB, DEFAULT_MAX_FILES
from forms.scan import ScannerUnavailable, scan_bytes

logger = logging.getLogger(__name__)

# What citizens may send: photos and PDF. The suffix we store is the one of the detected type.
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
ACCEPT_ATTRIBUTE = ",".join([*ALLOWED_TYPES, ".jpg", ".jpeg", ".png", ".webp", ".pdf"])
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = DEFAULT_MAX_FILES
    max_size_mb: int = DEFAULT_MAX_FILE_MB

    @property
    def max_size_bytes(self) -> int:
        return self.max_size_mb * MEGABYTE

    @classmethod
    def for_page(cls, page) -> UploadLimits:
        return cls(max_files=page.max_files, max_size_mb=page.max_file_size_mb)


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check, held in memory until the submission is written."""

    name: str
    content_type: str
    data: bytes
    scan_status: str

    @property
    def size(self) -> int:
        return len(self.data)


def _display_name(name: str) -> str:
    return PurePath(name or "bestand").name[:200]


def _read(file, limit: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``limit`` (read no further than that)."""
    if getattr(file, "size", None) is not None and file.size > limit:
        return None
    file.seek(0)
    data = file.read(limit + 1)
    return None if len(data) > limit else data


def upload_check(file, *, limits: UploadLimits) -> CheckedUpload:
    """One file checked for size, type and viruses; ``ValidationError`` (citizen wording) otherwise."""
    name = _display_name(getattr(file, "name", ""))
    data = _read(file, limits.max_size_bytes)
    if data is None:
        raise ValidationError(
            _("%(name)s is te groot. Een bestand mag hoogstens %(size)s zijn.")
            % {"name": name, "size": filesizeformat(limits.max_size_bytes)},
            code="file_too_large",
        )
    if not data:
        raise ValidationError(_("%(name)s is leeg.") % {"name": name}, code="file_empty")
    kind = filetype.guess(data)
    content_type = kind.mime if kind is not None else ""
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s is geen foto (JPEG, PNG of WebP) of PDF-bestand. Kies een ander bestand.")
            % {"name": name},
            code="file_type",
        )
    try:
        scan = scan_bytes(data)
    except ScannerUnavailable:
        raise ValidationError(
            _("We konden %(name)s nu niet op virussen controleren. Probeer het later opnieuw.")
            % {"name": name},
            code="scan_unavailable",
        ) from None
    if scan.infected:
        raise ValidationError(
            _("In %(name)s werd een virus gevonden. Het bestand werd niet opgeslagen.") % {"name": name},
            code="file_infected",
        )
    return CheckedUpload(name=name, content_type=content_type, data=data, scan_status=scan.status)


def uploads_check(files: Iterable, *, limits: UploadLimits) -> list[CheckedUpload]:
    """All files checked; one ``ValidationError`` listing every problem (count, size, type, virus)."""
    files = [file for file in files if file]
    if len(files) > limits.max_files:
        raise ValidationError(
            ngettext(
                "U kunt hoogstens %(count)d bestand meesturen.",
                "U kunt hoogstens %(count)d bestanden meesturen.",
                limits.max_files,
            )
            % {"count": limits.max_files},
            code="too_many_files",
        )
    checked: list[CheckedUpload] = []
    errors: list[ValidationError] = []
    for file in files:
        try:
            checked.append(upload_check(file, limits=limits))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked


def attachment_store(*, submission, upload: CheckedUpload, message=None):
    """Write a checked file to private storage and its row. Call inside the submission's transaction
    and collect the result, so ``attachments_delete_files`` can remove the file when that fails."""
    from forms.models import SubmissionAttachment  # models import the builder, which imports this

    attachment = SubmissionAttachment(
        submission=submission,
        message=message,
        original_name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        scan_status=upload.scan_status,
    )
    # The stored name is random (attachment_upload_to); only its suffix comes from the detected type.
    attachment.file.save("upload" + ALLOWED_TYPES[upload.content_type], ContentFile(upload.data), save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


def attachments_delete_files(names: Iterable[str]) -> None:
    """Remove stored files whose rows were rolled back."""
    from forms.models import SubmissionAttachment

    storage = SubmissionAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("attachment_file_delete_failed name=%s", name)
