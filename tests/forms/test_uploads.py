"""Uploads: type from the bytes, size and count limits, a virus scan when ClamAV is configured, and
nothing half-saved when anything is wrong."""

from __future__ import annotations

import re
import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from eloket.constants import DossierStatus
from eloket.models import Notification, TimelineEvent
from forms import services
from forms.constants import ContestReason, Purpose, ScanStatus
from forms.models import Submission, SubmissionAttachment, SubmissionMessage
from forms.uploads import UploadLimits, upload_check, uploads_check
from tests.forms.citizen_helpers import EXE, JPEG, PDF, form_page_make, png_bytes, stored_files, upload

EICAR_MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


class FakeClamd:
    """A local clamd that speaks INSTREAM: ``nINSTREAM\\n``, then <length><chunk>… ending in a zero
    length; answers ``stream: OK`` or ``stream: Eicar-Test-Signature FOUND``."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(5)
        self.port = self.server.getsockname()[1]
        self.scanned: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            with connection:
                self._answer(connection)

    def _read(self, connection, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _answer(self, connection):
        command = b""
        while not command.endswith(b"\n"):
            command += self._read(connection, 1)
        assert command == b"nINSTREAM\n"
        body = b""
        while True:
            (length,) = struct.unpack("!L", self._read(connection, 4))
            if length == 0:
                break
            body += self._read(connection, length)
        self.scanned.append(body)
        infected = EICAR_MARKER in body
        connection.sendall(b"stream: Eicar-Test-Signature FOUND\n" if infected else b"stream: OK\n")

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.ELOKET_CLAMAV_HOST = "127.0.0.1"
    settings.ELOKET_CLAMAV_PORT = server.port
    settings.ELOKET_CLAMAV_SOCKET = ""
    yield server
    server.close()


LIMITS = UploadLimits(max_files=2, max_size_mb=1)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("foto.png", png_bytes(), "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("brief.pdf", PDF, "application/pdf"),
    ],
)
def test_photos_and_pdf_are_accepted_with_the_type_read_from_their_bytes(name, data, content_type):
    checked = upload_check(upload(name, data), limits=LIMITS)
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(data))
    assert checked.scan_status == ScanStatus.NOT_SCANNED


def test_a_program_renamed_to_a_photo_is_refused_by_its_bytes():
    with pytest.raises(ValidationError) as error:
        upload_check(upload("vakantie.png", EXE), limits=LIMITS)
    assert error.value.code == "file_type"
    assert "vakantie.png is geen foto" in error.value.messages[0]


def test_a_file_over_the_forms_limit_is_refused_without_reading_it_all():
    big = upload("groot.png", png_bytes(extra=1024 * 1024))
    with pytest.raises(ValidationError) as error:
        upload_check(big, limits=LIMITS)
    assert error.value.code == "file_too_large"
    assert "mag hoogstens 1,0\xa0MB zijn" in error.value.messages[0]


def test_more_files_than_the_form_allows_are_refused_and_every_problem_is_listed():
    with pytest.raises(ValidationError) as error:
        uploads_check([upload(f"{n}.png", png_bytes()) for n in range(3)], limits=LIMITS)
    assert error.value.messages == ["U kunt hoogstens 2 bestanden meesturen."]
    with pytest.raises(ValidationError) as error:
        uploads_check([upload("a.exe", EXE), upload("b.png", b"")], limits=LIMITS)
    assert len(error.value.messages) == 2


def test_with_clamav_configured_a_clean_file_is_marked_clean(clamd):
    checked = upload_check(upload("foto.png", png_bytes()), limits=LIMITS)
    assert checked.scan_status == ScanStatus.CLEAN
    assert clamd.scanned == [png_bytes()]


def test_with_clamav_configured_an_infected_file_is_refused(clamd):
    infected = PDF + EICAR_MARKER
    with pytest.raises(ValidationError) as error:
        upload_check(upload("brief.pdf", infected), limits=LIMITS)
    assert error.value.code == "file_infected"
    assert clamd.scanned == [infected]


def test_a_configured_scanner_that_does_not_answer_refuses_the_upload(settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there any more
    settings.ELOKET_CLAMAV_HOST, settings.ELOKET_CLAMAV_PORT = "127.0.0.1", port
    with pytest.raises(ValidationError) as error:
        upload_check(upload("foto.png", png_bytes()), limits=LIMITS)
    assert error.value.code == "scan_unavailable"


# --- through the form: nothing saved --------------------------------------------------------------


@pytest.fixture
def contest_page(genk_page, genk_city):
    return form_page_make(
        parent=genk_page, organisation=genk_city, purpose=Purpose.CONTEST, max_files=2, max_file_size_mb=1
    )


def counts():
    return (
        Submission.objects.count(),
        SubmissionMessage.objects.count(),
        SubmissionAttachment.objects.count(),
        Notification.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([("virus.png", EXE)], "is geen foto"),
        ([("groot.png", png_bytes(extra=1024 * 1024))], "is te groot"),
        ([(f"{n}.png", png_bytes()) for n in range(3)], "hoogstens 2 bestanden"),
    ],
    ids=["wrong-type", "too-large", "too-many"],
)
def test_a_bad_upload_is_a_field_error_and_nothing_is_saved(
    client, citizen, retribution, contest_page, private_storage, files, error
):
    client.force_login(citizen[0])
    url = reverse("eloket_forms:dossier_form", args=[retribution.reference, "contest"])
    token = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(url).content.decode()).group(1)
    before = counts()
    response = client.post(
        url,
        {
            "idempotency_key": token,
            "contest_reason": ContestReason.BROKEN_METER,
            "message": "De automaat was kapot.",
            "fotos_of_documenten": [upload(name, data) for name, data in files],
        },
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert error in content
    assert 'href="#id_fotos_of_documenten"' in content
    assert 'aria-describedby="id_fotos_of_documenten_helptext id_fotos_of_documenten_error"' in content
    assert counts() == before
    assert stored_files(private_storage) == []
    retribution.refresh_from_db()
    assert retribution.status == DossierStatus.NOTIFIED


class FailingSecondSave(FileSystemStorage):
    """Object storage that stores one file and then fails (a full disk, a dropped connection)."""

    saves = 0

    def _save(self, name, content):
        self.saves += 1
        if self.saves > 1:
            raise OSError("storage unavailable")
        return super()._save(name, content)


@pytest.mark.django_db
def test_when_storing_a_file_fails_everything_is_rolled_back_and_the_stored_files_removed(
    citizen, retribution, contest_page, tmp_path, monkeypatch
):
    storage = FailingSecondSave(location=tmp_path / "failing")
    monkeypatch.setattr(SubmissionAttachment._meta.get_field("file"), "storage", storage)
    checked = [upload_check(upload(f"{n}.png", png_bytes()), limits=LIMITS) for n in range(2)]
    before = counts()
    with pytest.raises(OSError):
        services.submission_create(
            page=contest_page,
            idempotency_key="disk-full",
            form_data={},
            uploads=checked,
            message="Twee foto's",
            contest_reason=ContestReason.OTHER,
            dossier=retribution,
            party=citizen[1],
            user=citizen[0],
        )
    assert storage.saves == 2
    assert counts() == before
    assert stored_files(storage) == []
    retribution.refresh_from_db()
    assert retribution.status == DossierStatus.NOTIFIED
