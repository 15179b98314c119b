"""Slack: post a message with ``chat.postMessage`` and the workspace's bot token (Bearer).

Slack answers most failures with HTTP 200 and ``{"ok": false, "error": "..."}``; that is a remote
failure like an HTTP error status."""

from __future__ import annotations

from typing import Any

from cairn.core.errors import UpstreamError
from cairn.integrations import remote

SERVICE = "Slack"
CREDENTIALS = ("token",)


def post_message(credentials: dict[str, Any], *, default_base_url: str, channel: str, text: str,
                 timeout: float) -> dict[str, str]:
    base_url = remote.check_base_url(credentials.get("baseUrl") or default_base_url, SERVICE)
    token = credentials["token"]
    reply = remote.post_json(f"{base_url}/chat.postMessage", {"channel": channel, "text": text},
                             {"Authorization": f"Bearer {token}"}, timeout=timeout, service=SERVICE,
                             secrets=(token,))
    body = reply.body if isinstance(reply.body, dict) else {}
    if body.get("ok") is not True:
        said = remote.excerpt(remote.describe(reply.body), (token,))
        raise UpstreamError(f"{SERVICE} chat.postMessage failed (HTTP {reply.status}): {said}")
    ts = body.get("ts")
    if not isinstance(ts, str) or not ts:
        raise UpstreamError(f"{SERVICE} chat.postMessage answered ok without a message ts")
    return {"channel": str(body.get("channel") or channel), "ts": ts}
