"""Helpers for the citizen side: form pages under a city page, files, a private storage per test."""

from __future__ import annotations

import struct
import zlib

from forms.constants import FileFieldType, Purpose
from forms.models import FormField, FormPage

# Real (tiny) files: the upload check reads the type from the bytes.


def png_bytes(extra: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    padding = chunk(b"tEXt", b"c\x00" + b"x" * extra) if extra else b""
    return b"\x89PNG\r\n\x1a\n" + header + padding + pixels + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


DEFAULT_FIELDS = {
    Purpose.CONTEST: [
        ("Nummer van uw parkeerticket", "singleline", False),
        ("Foto's of documenten", FileFieldType.FILES, False),
    ],
    Purpose.DEFENCE: [("Bewijsstukken", FileFieldType.FILES, False)],
    Purpose.NAME_DRIVER: [
        ("Naam van de bestuurder", "singleline", True),
        ("Adres van de bestuurder", "multiline", True),
    ],
    Purpose.QUESTION: [("Onderwerp", "singleline", True)],
}
DEFAULT_KINDS = {
    Purpose.CONTEST: ["parking_retribution"],
    Purpose.DEFENCE: ["gas4", "gas5"],
    Purpose.NAME_DRIVER: ["gas4", "gas5"],
    Purpose.QUESTION: [],
}


def form_page_make(
    *, parent, organisation, purpose: str, title: str = "", kinds=None, fields=None, live=True, **values
) -> FormPage:
    """A published form page under ``parent`` (a city page) with ``fields`` as (label, type, required)."""
    page = FormPage(
        title=title or f"Formulier {purpose}",
        slug=(title or f"formulier-{purpose}").lower().replace(" ", "-"),
        organisation=organisation,
        purpose=purpose,
        dossier_kinds=DEFAULT_KINDS.get(purpose, []) if kinds is None else kinds,
        intro="<p>Vul dit formulier in.</p>",
        confirmation_text="<p>Bedankt voor uw bericht.</p>",
        live=live,
        **values,
    )
    parent.add_child(instance=page)
    for order, (label, field_type, required) in enumerate(
        DEFAULT_FIELDS.get(purpose, []) if fields is None else fields
    ):
        FormField.objects.create(
            page=page, sort_order=order, label=label, field_type=field_type, required=required
        )
    if live:
        page.save_revision().publish()
    return page


def stored_files(storage) -> list[str]:
    """Every file under ``submissions/`` in ``storage``."""
    found = []

    def walk(path: str) -> None:
        if not storage.exists(path):
            return
        directories, files = storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for directory in directories:
            walk(f"{path}/{directory}")

    walk("submissions")
    return found
