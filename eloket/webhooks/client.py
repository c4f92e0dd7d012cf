"""The one place that sends webhooks over the network (STYLE 6): a single HTTP POST, standard library
only (``http.client``), no redirects followed, a short timeout.

What a coordinator types as a URL decides where the platform connects, and the receiver's answer is
shown back to them in the delivery log; so, unless ``WEBHOOK_ALLOW_LOCAL`` is on (dev and tests, never
production), only HTTPS is allowed and only to public addresses. The host is resolved once, every
address checked, and the connection made to the checked address (the TLS certificate is still checked
against the host name), so a DNS answer that changes between check and connect cannot reach an
internal address.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

EXCERPT_BYTES = 2048


class UrlRefused(ValueError):
    """The URL may not be used for a webhook (scheme, host or address); nothing was sent."""


@dataclass(frozen=True)
class HttpResult:
    status: int
    excerpt: str
    location: str = ""


def _is_public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def url_check(url: str, *, allow_local: bool) -> None:
    """Refuse (``UrlRefused``) what can be refused without resolving the host: the scheme, userinfo,
    a missing host, and a literal IP address that is not public."""
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_local else ("https",)
    if parts.scheme not in allowed:
        raise UrlRefused("only https:// addresses are allowed")
    if not parts.hostname:
        raise UrlRefused("the address has no host")
    if parts.username or parts.password:
        raise UrlRefused("the address may not contain a user name or password")
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None and not allow_local and not literal.is_global:
        raise UrlRefused("the address is not a public address")
    if not allow_local and parts.hostname.lower() in {"localhost", "localhost.localdomain"}:
        raise UrlRefused("the address is not a public address")


def _resolve(host: str, port: int, *, allow_local: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve the host: {error}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise OSError("cannot resolve the host")
    if not allow_local and not all(_is_public(address) for address in addresses):
        raise UrlRefused("the host resolves to an address that is not public")
    return addresses[0]


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float, allow_local: bool) -> HttpResult:
    """POST ``body`` to ``url`` and return the status and the first bytes of the answer.

    Raises ``UrlRefused`` (nothing sent) or ``OSError`` / ``http.client.HTTPException`` (timeouts,
    refused connections, TLS errors, broken answers). A redirect is returned as it is, never followed.
    """
    url_check(url, allow_local=allow_local)
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = _resolve(parts.hostname, port, allow_local=allow_local)
    if secure:
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)

    def connect_to_checked_address(_address, timeout, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    connection._create_connection = connect_to_checked_address  # the host name stays for Host and SNI
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
        return HttpResult(
            status=response.status, excerpt=excerpt, location=response.getheader("Location") or ""
        )
    finally:
        connection.close()
