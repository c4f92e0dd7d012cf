"""Uploads that lie, through HTTP: the citizen's form upload, the API's evidence upload and the clerk's
CODA upload. A file whose name or Content-Type claims PDF/PNG but whose bytes are HTML, SVG with
script, a program or a ZIP is refused with a clear message; so are empty files and files just over
the limit. File names with path tricks never reach the storage path: what is stored sits inside the
storage under a random name with the suffix of the detected type. Oversized request bodies are a
4xx, never a 5xx. (tests/forms/test_uploads.py checks the limits and the scanner themselves.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from eloket.models import CodaImport, Evidence
from forms.constants import ContestReason, Purpose
from forms.models import SubmissionAttachment
from tests.eloket.api.conftest import make_key
from tests.factories import DossierFactory, person_party
from tests.forms.citizen_helpers import EXE, form_page_make, png_bytes

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40
LIARS = {
    "html-as-pdf": ("brief.pdf", HTML, "application/pdf"),
    "svg-as-png": ("foto.png", SVG, "image/png"),
    "exe-as-jpg": ("foto.jpg", EXE, "image/jpeg"),
    "zip-as-pdf": ("bewijs.pdf", ZIP, "application/pdf"),
    "html-as-png-no-suffix": ("foto", HTML, "image/png"),
    "empty": ("leeg.png", b"", "image/png"),
}
TRICKY_NAMES = [
    "../../etc/passwd.png",
    "/etc/passwd.png",
    "..\\..\\windows\\win.ini.png",
    "C:\\Windows\\System32\\foto.png",
    "foto\x00.php.png",
    "a" * 1000 + ".png",
    "\u202egnp.exe",
    "CON.png",
    "NUL",
    "aux.pdf",
    ".htaccess",
    "foto.png.html",
    "foto.html",
    "%2e%2e%2fpasswd.png",
    "&lt;script&gt;.png",
]
STORED = re.compile(r"^(submissions|evidence)/\d+/[0-9a-f]{32}\.(png|jpg|webp|pdf)$")


def stored_name_check(name: str, storage, tally, category: str, label: str) -> None:
    """A stored name is ours (random, the detected type's suffix) and resolves inside the storage."""
    root = Path(storage.location).resolve()
    inside = Path(storage.path(name)).resolve().is_relative_to(root)
    if not STORED.match(name) or not inside:
        tally.finding(category, f"{label!r} stored as {name!r}")
    assert STORED.match(name), name
    assert inside


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(SubmissionAttachment._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storage)
    return storage


# -- the citizen's form --------------------------------------------------------------------------


@pytest.fixture
def contest_page(genk_page, genk_city):
    return form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, max_files=3, max_file_size_mb=1
    )


def form_post(client, retribution, files):
    url = reverse("eloket_forms:dossier_form", args=[retribution.reference, "contest"])
    page = client.get(url).content.decode()
    token = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    return client.post(
        url,
        {
            "idempotency_key": token,
            "contest_reason": ContestReason.BROKEN_METER,
            "message": "De automaat was kapot.",
            "fotos_of_documenten": files,
        },
    )


@pytest.mark.parametrize("case", list(LIARS))
def test_the_citizen_form_refuses_a_file_that_lies_about_its_type(
    client, citizen, retribution, contest_page, private_storage, tally, case
):
    name, data, content_type = LIARS[case]
    client.force_login(citizen[0])
    tally.attempt("upload: form, lying type")
    response = form_post(client, retribution, [SimpleUploadedFile(name, data, content_type=content_type)])
    if response.status_code != 400 or SubmissionAttachment.objects.exists():
        tally.finding("upload: form, lying type", f"{case}: {response.status_code}")
    assert response.status_code == 400
    expected = "is leeg" if not data else "is geen foto (JPEG, PNG of WebP) of PDF-bestand"
    assert expected in response.content.decode()
    assert not SubmissionAttachment.objects.exists()


def test_the_citizen_form_refuses_a_file_one_byte_over_the_limit_and_takes_one_at_it(
    client, citizen, retribution, contest_page, private_storage, tally
):
    client.force_login(citizen[0])
    limit = 1024 * 1024
    at_limit = png_bytes(extra=limit - len(png_bytes(extra=1)) + 1)
    assert len(at_limit) == limit
    tally.attempt("upload: form, size", 2)
    over = form_post(client, retribution, [SimpleUploadedFile("groot.png", at_limit + b"\x00")])
    assert over.status_code == 400 and "is te groot" in over.content.decode()
    fits = form_post(client, retribution, [SimpleUploadedFile("net.png", at_limit)])
    assert fits.status_code == 302
    assert SubmissionAttachment.objects.get().size == limit


@pytest.mark.parametrize("name", TRICKY_NAMES, ids=range(len(TRICKY_NAMES)))
def test_a_tricky_file_name_in_the_citizen_form_never_reaches_the_storage_path(
    client, citizen, retribution, contest_page, private_storage, tally, name
):
    client.force_login(citizen[0])
    tally.attempt("upload: form, file names")
    response = form_post(
        client, retribution, [SimpleUploadedFile(name, png_bytes(), content_type="image/png")]
    )
    assert response.status_code == 302, response.status_code
    attachment = SubmissionAttachment.objects.get()
    stored_name_check(attachment.file.name, private_storage, tally, "upload: form, file names", name)
    shown = attachment.original_name
    if any(c in shown for c in "/\\\x00\u202e") or len(shown) > 200:
        tally.finding("upload: form, file names", f"{name[:40]!r} shown as {shown[:60]!r}")
    assert not any(c in shown for c in "/\\\x00\u202e") and len(shown) <= 200


# -- the API's evidence --------------------------------------------------------------------------


@pytest.fixture
def city_api(genk_city, municipalities):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(genk_city)}")
    dossier = DossierFactory(
        organisation=genk_city, municipality=municipalities["genk"], external_id="E-1", party=person_party()
    )
    return client, dossier


def evidence_post(client, name, data, content_type="application/octet-stream"):
    return client.post(
        "/api/v1/dossiers/E-1/evidence/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type), "caption": "scan"},
        format="multipart",
    )


@pytest.mark.parametrize("case", list(LIARS))
def test_the_evidence_upload_refuses_a_file_that_lies_about_its_type(city_api, private_storage, tally, case):
    client, _dossier = city_api
    name, data, content_type = LIARS[case]
    tally.attempt("upload: api, lying type")
    response = evidence_post(client, name, data, content_type)
    if response.status_code != 400 or Evidence.objects.exists():
        tally.finding("upload: api, lying type", f"{case}: {response.status_code}")
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Evidence.objects.exists()


def test_the_evidence_upload_refuses_a_file_over_its_limit(city_api, private_storage, settings, tally):
    client, _dossier = city_api
    settings.API_EVIDENCE_MAX_MB = 1
    tally.attempt("upload: api, size")
    response = evidence_post(client, "groot.png", png_bytes(extra=1024 * 1024))
    assert response.status_code == 400
    assert "te groot" in str(response.json()["errors"])


@pytest.mark.parametrize("name", TRICKY_NAMES, ids=range(len(TRICKY_NAMES)))
def test_a_tricky_file_name_in_the_evidence_upload_never_reaches_the_storage_path(
    city_api, private_storage, tally, name
):
    client, _dossier = city_api
    tally.attempt("upload: api, file names")
    response = evidence_post(client, name, png_bytes(), "image/png")
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    stored_name_check(evidence.file.name, private_storage, tally, "upload: api, file names", name)
    assert evidence.content_type == "image/png"


# -- the clerk's CODA upload ---------------------------------------------------------------------


@pytest.fixture
def clerk(client, genk_city):
    from tests.forms.triage_helpers import clerk_make

    client.force_login(clerk_make(organisations=[genk_city]))
    return client


@pytest.mark.parametrize("case", list(LIARS))
def test_the_coda_upload_refuses_a_file_that_is_no_statement(clerk, genk_city, tally, case):
    name, data, content_type = LIARS[case]
    tally.attempt("upload: coda, lying type")
    response = clerk.post(
        reverse("eloket_payments_coda_upload"),
        {"organisation": genk_city.pk, "file": SimpleUploadedFile(name, data, content_type=content_type)},
    )
    assert response.status_code in (200, 400)
    assert not CodaImport.objects.exists()
    # An empty file is a form error ("Het ingediende bestand is leeg"), the rest CODA line errors.
    assert "Regel 1" in response.content.decode() or "leeg" in response.content.decode()


def test_the_coda_upload_refuses_a_file_over_its_limit(clerk, genk_city, monkeypatch, tally):
    from eloket.payments import admin_views

    monkeypatch.setattr(admin_views, "MAX_CODA_BYTES", 1000)
    tally.attempt("upload: coda, size")
    response = clerk.post(
        reverse("eloket_payments_coda_upload"),
        {"organisation": genk_city.pk, "file": SimpleUploadedFile("groot.cod", b"0" * 1001)},
    )
    assert "Het bestand is te groot." in response.content.decode()
    assert not CodaImport.objects.exists()


@pytest.mark.parametrize("name", TRICKY_NAMES, ids=range(len(TRICKY_NAMES)))
def test_a_tricky_coda_file_name_is_kept_as_a_label_only(clerk, genk_city, tally, name):
    import datetime as dt

    from eloket.payments.coda_build import Credit, coda_statement

    content = coda_statement(
        iban=genk_city.iban, credits=[Credit(100, text=f"n{len(name)}")], day=dt.date(2026, 11, 20)
    )
    tally.attempt("upload: coda, file names")
    response = clerk.post(
        reverse("eloket_payments_coda_upload"),
        {"organisation": genk_city.pk, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200, response.status_code
    label = CodaImport.objects.get().file_name
    assert not any(c in label for c in "/\\\x00") and len(label) <= 255


# -- oversized request bodies --------------------------------------------------------------------


def test_oversized_and_overfull_bodies_are_a_4xx(client, city_api, citizen, tally, settings):
    api, _dossier = city_api
    big = b'{"street": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    fields = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))
    client.force_login(citizen[0])
    attempts = [
        (
            "api put",
            lambda: api.generic("PUT", "/api/v1/dossiers/E-2/", big, content_type="application/json"),
        ),
        (
            "status",
            lambda: api.generic("POST", "/api/v1/dossiers/E-1/status/", big, content_type="application/json"),
        ),
        (
            "big form",
            lambda: client.generic(
                "POST",
                reverse("eloket:mail_preferences"),
                big,
                content_type="application/x-www-form-urlencoded",
            ),
        ),
        (
            "many fields",
            lambda: client.generic(
                "POST",
                reverse("eloket:mail_preferences"),
                fields,
                content_type="application/x-www-form-urlencoded",
            ),
        ),
    ]
    for label, call in attempts:
        tally.attempt("request: oversized body")
        status = call().status_code
        if not 400 <= status < 500:
            tally.finding("request: oversized body", f"{label}: {status}")
        assert 400 <= status < 500, (label, status)
