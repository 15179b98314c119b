"""GET JSON from a provider for the connectors: the connection's base URL passes the SSRF guard
(``cairn.integrations.ssrf``: checked when used, connections pinned to a checked public address), redirects are
not followed (they would carry the credentials elsewhere), a paging link must stay on the base URL's origin,
and every failure becomes one of the typed errors of ``base`` with the remote's own words (credentials
masked)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from cairn.core import clock
from cairn.core.observability import traced
from cairn.integrations import ssrf
from cairn.integrations.remote import check_base_url, describe, excerpt
from cairn.sources.adapters.base import (
    Answer,
    SourceAuthFailed,
    SourceRequestFailed,
    SourceThrottled,
    SourceUnavailable,
)

TIMEOUT_SECONDS = 15.0
DEFAULT_RETRY_AFTER = 1.0
_READ_MAX = 20_000_000


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError


_opener = ssrf.pinned_opener(_NoRedirects())


def url_for(base_url: str, path: str, params: dict[str, Any] | None = None, *, provider: str) -> str:
    base = check_base_url(base_url, provider)
    query = urlencode({name: value for name, value in (params or {}).items() if value not in (None, "")})
    return f"{base}{path}" + (f"?{query}" if query else "")


def same_origin(link: str, base_url: str, provider: str) -> str:
    """A paging link the provider gave: followed only on the connection's own origin."""
    if link.startswith("/"):
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc}{link}"
    if (urlsplit(link).scheme, urlsplit(link).netloc) != (urlsplit(base_url).scheme, urlsplit(base_url).netloc):
        raise SourceRequestFailed(f"{provider} answered a paging link to another host: {excerpt(link)}")
    return link


def get_json(url: str, headers: dict[str, str], *, provider: str, secrets: tuple[str, ...]) -> Answer:
    traced("httplib")
    request = urllib.request.Request(url, method="GET", headers={  # noqa: S310 (scheme checked by url_for)
        "Accept": "application/json", "User-Agent": "cairn-source-sync", **headers})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(_READ_MAX)
            answer_headers = {name.lower(): value for name, value in response.headers.items()}
            return Answer(response.status, answer_headers, _decode(raw))
    except urllib.error.HTTPError as failed:
        raise _failure(failed, provider, secrets) from failed
    except TimeoutError as failed:
        raise SourceUnavailable(f"{provider} did not answer within {TIMEOUT_SECONDS:g} s") from failed
    except urllib.error.URLError as failed:
        raise SourceUnavailable(f"{provider} could not be reached: {excerpt(str(failed.reason), secrets)}") \
            from failed
    except OSError as failed:
        raise SourceUnavailable(f"{provider} could not be reached: {excerpt(str(failed), secrets)}") from failed


def _decode(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def _failure(failed: urllib.error.HTTPError, provider: str, secrets: tuple[str, ...]) -> Exception:
    try:
        said = excerpt(describe(_decode(failed.read(_READ_MAX) if failed.fp is not None else b"")), secrets)
    except OSError:
        said = ""
    finally:
        failed.close()
    status = failed.code
    message = f"{provider} answered HTTP {status}" + (f": {said}" if said else "")
    headers = {name.lower(): value for name, value in (failed.headers or {}).items()}
    if status == 429 or (status == 403 and ("retry-after" in headers or headers.get("x-ratelimit-remaining") == "0")):
        return SourceThrottled(message, retry_after=retry_after(headers))
    if status >= 500:
        return SourceUnavailable(message)
    if status in (401, 403):
        return SourceAuthFailed(f"{message} (check the {provider} connection's token)")
    return SourceRequestFailed(message)


def retry_after(headers: dict[str, str]) -> float:
    """Seconds to wait: ``Retry-After`` (seconds or an HTTP date), else GitHub's ``x-ratelimit-reset``."""
    value = headers.get("retry-after", "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - clock.now().timestamp())
            except (TypeError, ValueError):
                return DEFAULT_RETRY_AFTER
    reset = headers.get("x-ratelimit-reset", "")
    if reset.isdigit():
        return max(0.0, int(reset) - clock.now().timestamp())
    return DEFAULT_RETRY_AFTER
