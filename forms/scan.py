"""The virus scanner: the one module that talks to ClamAV (through the ``clamd`` package).

When ``ELOKET_CLAMAV_SOCKET`` (a Unix socket) or ``ELOKET_CLAMAV_HOST`` is set, every upload is sent to
clamd with the INSTREAM command before anything is stored; an infected file is refused. Without a
scanner configured, files are accepted and marked ``not_scanned`` so a later scan can find them.

A scanner that is configured but cannot be reached refuses the upload (``ScannerUnavailable``): an
unchecked file must not slip through because clamd happened to be down.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import clamd
from django.conf import settings

from forms.constants import ScanStatus

logger = logging.getLogger(__name__)


class ScannerUnavailable(RuntimeError):
    """ClamAV is configured but did not answer."""


@dataclass(frozen=True)
class ScanResult:
    status: str
    signature: str = ""

    @property
    def infected(self) -> bool:
        return self.status == ScanStatus.INFECTED


def scanner_configured() -> bool:
    return bool(settings.ELOKET_CLAMAV_SOCKET or settings.ELOKET_CLAMAV_HOST)


def _client():
    timeout = settings.ELOKET_CLAMAV_TIMEOUT
    if settings.ELOKET_CLAMAV_SOCKET:
        return clamd.ClamdUnixSocket(path=settings.ELOKET_CLAMAV_SOCKET, timeout=timeout)
    return clamd.ClamdNetworkSocket(
        host=settings.ELOKET_CLAMAV_HOST, port=settings.ELOKET_CLAMAV_PORT, timeout=timeout
    )


def scan_bytes(data: bytes) -> ScanResult:
    """Scan ``data`` with clamd when it is configured; ``not_scanned`` when it is not.

    Raises ``ScannerUnavailable`` when clamd is configured but fails to answer.
    """
    if not scanner_configured():
        return ScanResult(status=ScanStatus.NOT_SCANNED)
    try:
        answer = _client().instream(io.BytesIO(data))
    except (clamd.ClamdError, OSError) as error:
        logger.warning("virus_scan_unavailable error=%s", type(error).__name__)
        raise ScannerUnavailable(str(error)) from error
    status, signature = (answer or {}).get("stream", ("ERROR", None))
    if status == "OK":
        return ScanResult(status=ScanStatus.CLEAN)
    if status == "FOUND":
        logger.warning("virus_scan_found signature=%s", signature)
        return ScanResult(status=ScanStatus.INFECTED, signature=signature or "")
    logger.warning("virus_scan_error status=%s", status)
    raise ScannerUnavailable(f"unexpected clamd answer {status!r}")
