"""The SSRF guard for URLs a tenant chooses (connection base URLs; docs/sources.md, "SSRF").

A URL must be ``https`` to a public host: every address its host resolves to is checked (private,
loopback, link-local, shared, multicast, reserved and the cloud metadata addresses 169.254.169.254 and
fd00:ec2::254 are refused), and the connection is then made to a checked address (``pinned_opener``), so
a DNS answer that changes between the check and the connect (rebinding) reaches nothing. Redirects are
never followed by the callers (they would also carry the credentials elsewhere).

The local stack alone (``CAIRN_ALLOW_LOCAL_URLS=true``, set by the dev server and the tests, never in the
template) also allows ``http://127.0.0.1`` and ``http://localhost``, so that fakes can stand in for the
providers.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cairn.core.errors import InvalidInput
from cairn.core.settings import get_settings

Resolver = Callable[[str, int], list[str]]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


def system_resolver(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


_resolver: Resolver = system_resolver


def use_resolver(resolver: Resolver) -> Resolver:
    """Makes ``resolver`` the one checks use (tests); returns the one it replaces."""
    global _resolver
    previous, _resolver = _resolver, resolver
    return previous


def public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and ip not in _METADATA


def _local_allowed(scheme: str, host: str) -> bool:
    return get_settings().allow_local_urls and host in LOCAL_HOSTS and scheme in ("http", "https")


def check_url(url: str, *, field: str, allow_local: bool | None = None) -> str:
    """``url`` without its trailing ``/`` if it may be called, else ``InvalidInput`` naming ``field``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{field} is not a valid URL", field=field) from None
    host = (parts.hostname or "").lower()
    local = _local_allowed(parts.scheme, host) if allow_local is None else (allow_local and host in LOCAL_HOSTS)
    if parts.scheme != "https" and not local:
        raise InvalidInput(f"{field} must be an https URL", field=field)
    if not host or parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise InvalidInput(f"{field} must be a plain URL such as https://example.com (no credentials, query or "
                           "fragment)", field=field)
    if local:
        return url.rstrip("/")
    addresses = resolve(host, port or 443, field=field)
    refused = [address for address in addresses if not public(address)]
    if refused:
        raise InvalidInput(f"{field} must point to a public host: {host} resolves to a private, loopback, "
                           "link-local or metadata address", field=field)
    return url.rstrip("/")


def resolve(host: str, port: int, *, field: str) -> list[str]:
    try:
        addresses = _resolver(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise InvalidInput(f"{field}: the host {host} could not be resolved", field=field)
    return addresses


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to an address checked just now, while TLS still verifies the certificate for the host name."""

    def connect(self) -> None:
        addresses = [address for address in resolve(self.host, self.port, field="baseUrl") if public(address)]
        if not addresses:
            raise OSError(f"{self.host} resolves to no public address")
        self.sock = socket.create_connection((addresses[0], self.port), self.timeout)
        context: Any = self._context  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PinnedHTTPSConnection, req)


def pinned_opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """An opener whose https connections go only to public addresses checked at connect time (plain http
    is used only for the local stack's loopback fakes, which ``check_url`` alone admits)."""
    return urllib.request.build_opener(_PinnedHTTPSHandler(), *handlers)
