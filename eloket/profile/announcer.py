"""The one interface behind which the e-loket tells a citizen's Mijn Burgerprofiel about a dossier.

No public Mijn Burgerprofiel API for a city to push cases or notifications to was found
(docs/profile.md): ``ProfileAnnouncer`` is the adapter a real client will implement once Digitaal
Vlaanderen confirms which service to use, and ``StandinAnnouncer`` speaks the local stand-in's API
(``eloket.profile.standin``). ``announcer_get()`` returns the one ``PROFILE_ANNOUNCER`` names, or
None when announcements are off.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from django.conf import settings
from django.utils.module_loading import import_string

from eloket.webhooks import client

USER_AGENT = "eloket-profile/1"


class AnnouncerError(Exception):
    """The profile could not be reached or refused the announcement; it does not have it.

    ``permanent``: the profile refused the request itself (a 4xx other than a timeout, conflict or
    rate limit, or an address we may not use), so asking again will not help.
    """

    def __init__(self, message: str = "", *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Announcement:
    """What is sent: ``case_id`` (our dossier's public reference) and ``party_key`` (the party's
    pseudonym, never a national number) identify the case; ``idempotency_key`` is the same on every
    attempt of one announcement; ``body`` is the JSON document."""

    case_id: str
    party_key: str
    idempotency_key: str
    body: dict


class ProfileAnnouncer(Protocol):
    def announce(self, announcement: Announcement) -> None:
        """Upsert the case and add the announcement; raises ``AnnouncerError``. Sending the same
        ``idempotency_key`` twice leaves the profile as after the first time."""
        ...


# Statuses worth asking again for: a timeout, a conflict, a rate limit, or the profile's own trouble.
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


class StandinAnnouncer:
    """``POST {PROFILE_API_BASE}/v1/cases/{case_id}`` with a JSON body and ``Idempotency-Key``, through
    the e-loket's outbound HTTP client (``eloket.webhooks.client``: short timeout, no redirects, only
    public HTTPS addresses unless ``WEBHOOK_ALLOW_LOCAL``)."""

    def __init__(self, *, base_url: str, timeout: float, allow_local: bool):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.allow_local = allow_local

    @classmethod
    def from_settings(cls) -> StandinAnnouncer:
        return cls(
            base_url=settings.PROFILE_API_BASE,
            timeout=settings.PROFILE_TIMEOUT_SECONDS,
            allow_local=settings.WEBHOOK_ALLOW_LOCAL,
        )

    def announce(self, announcement: Announcement) -> None:
        if not self.base_url:
            raise AnnouncerError("PROFILE_API_BASE is not set", permanent=True)
        url = f"{self.base_url}/v1/cases/{quote(announcement.case_id, safe='')}"
        body = json.dumps(announcement.body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": announcement.idempotency_key,
        }
        try:
            result = client.post(
                url=url, body=body, headers=headers, timeout=self.timeout, allow_local=self.allow_local
            )
        except client.UrlRefused as refused:
            raise AnnouncerError(f"refused: {refused}", permanent=True) from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, refused connections, TLS
            raise AnnouncerError(type(error).__name__) from None
        if 200 <= result.status < 300:
            return
        permanent = 400 <= result.status < 500 and result.status not in RETRYABLE_STATUSES
        raise AnnouncerError(f"HTTP {result.status}", permanent=permanent)


def announcer_get() -> ProfileAnnouncer | None:
    """The configured announcer, or None: ``PROFILE_ANNOUNCER`` empty means announcements are off."""
    path = settings.PROFILE_ANNOUNCER
    if not path:
        return None
    announcer = import_string(path)
    return announcer.from_settings() if hasattr(announcer, "from_settings") else announcer()
