"""JSON over HTTPS with the standard library, for the Jira and Slack adapters.

- Only URLs the SSRF guard admits (``ssrf``: https to a public host, connected to a checked address; the
  local stack alone also allows http to 127.0.0.1 and localhost); never ``file:`` or others.
- Redirects are not followed: a redirect would carry the credentials to another host.
- Every call has a timeout; a timeout, a connection error, or an HTTP error status becomes an
  ``UpstreamError`` (502) saying what the remote answered: status and a bounded excerpt of the body.
- Credentials never appear in errors: ``secrets`` are masked in any excerpt of a remote answer.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from cairn.core.errors import IntegrationNotConfigured, InvalidInput, UpstreamError
from cairn.core.observability import traced
from cairn.integrations import ssrf

EXCERPT_MAX = 500
_READ_MAX = 1_000_000


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or the text when the body is not JSON


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError


_opener = ssrf.pinned_opener(_NoRedirects())


def check_base_url(url: str, integration: str) -> str:
    """``url`` if the SSRF guard admits it (``cairn.integrations.ssrf``), else ``IntegrationNotConfigured``."""
    try:
        return ssrf.check_url(url, field="baseUrl")
    except InvalidInput as refused:
        raise IntegrationNotConfigured(f"the {integration} connection's {refused.message}", field="action") \
            from None


def excerpt(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_MAX else text[:EXCERPT_MAX] + "…"


def _decode(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def post_json(url: str, body: dict[str, Any], headers: dict[str, str], *, timeout: float, service: str,
              secrets: tuple[str, ...] = ()) -> Reply:
    """POSTs ``body`` as JSON; returns a 2xx reply, raises ``UpstreamError`` for anything else."""
    reply = post(url, json.dumps(body).encode(), {"Accept": "application/json", **headers}, timeout=timeout,
                 service=service, secrets=secrets)
    if not 200 <= reply.status < 300:
        said = excerpt(describe(reply.body), secrets) or http.client.responses.get(reply.status, "")
        raise UpstreamError(f"{service} answered HTTP {reply.status}: {said}")
    return reply


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, service: str,
         secrets: tuple[str, ...] = ()) -> Reply:
    """POSTs ``body`` (bytes, sent as they are: a signed webhook body must be) and answers the reply whatever its
    HTTP status; a timeout or a connection error is an ``UpstreamError``."""
    traced("httplib")
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 (scheme checked)
        "Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Reply(response.status, _decode(response.read(_READ_MAX)))
    except urllib.error.HTTPError as failed:
        return Reply(failed.code, _decode(_drain(failed)))
    except TimeoutError as failed:
        raise UpstreamError(f"{service} did not answer within {timeout:g} s") from failed
    except urllib.error.URLError as failed:
        if isinstance(failed.reason, TimeoutError):
            raise UpstreamError(f"{service} did not answer within {timeout:g} s") from failed
        raise UpstreamError(f"{service} could not be reached: {excerpt(str(failed.reason), secrets)}") from failed
    except OSError as failed:  # a connection reset or similar while reading the answer
        raise UpstreamError(f"{service} could not be reached: {excerpt(str(failed), secrets)}") from failed


def _drain(failed: urllib.error.HTTPError) -> bytes:
    try:
        return failed.read(_READ_MAX) if failed.fp is not None else b""
    except OSError:
        return b""  # the status alone then says what the remote answered
    finally:
        failed.close()


def describe(body: Any) -> str:
    """A readable summary of an error body: Jira's ``errorMessages``/``errors``, Slack's ``error``,
    else the body itself."""
    if isinstance(body, dict):
        parts: list[str] = [str(message) for message in body.get("errorMessages") or []]
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts += [f"{name}: {message}" for name, message in errors.items()]
        if isinstance(body.get("error"), str):
            parts.append(body["error"])
        if parts:
            return "; ".join(parts)
        return json.dumps(body, ensure_ascii=False)
    return str(body)
