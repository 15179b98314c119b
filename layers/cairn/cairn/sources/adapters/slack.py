"""Slack ``conversations.history`` of the source's channel after the cursor (the newest ``ts`` synced).

Slack answers newest first within ``oldest``; ``response_metadata.next_cursor`` pages towards older
messages while ``has_more``. The run's watermark is the newest ``ts`` it read, so the next run asks only
for what came after it (``oldest`` is exclusive unless ``inclusive`` is set)."""

from __future__ import annotations

from typing import Any

from cairn.sources.adapters.base import (
    PAGE_SIZE,
    Connection,
    Page,
    Record,
    SourceAuthFailed,
    SourceRequestFailed,
    SourceThrottled,
)
from cairn.sources.adapters.http import DEFAULT_RETRY_AFTER, get_json, url_for
from cairn.sources.adapters.times import epoch_key, from_epoch

_AUTH_ERRORS = frozenset({"not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired",
                          "no_permission", "missing_scope", "not_allowed_token_type"})


class Slack:
    provider = "slack"

    def fetch_page(self, connection: Connection, config: dict[str, Any], cursor: str,
                   page: str | None) -> Page:
        channel = str(config["channelId"])
        url = url_for(connection.base_url, "/conversations.history", {
            "channel": channel, "oldest": cursor, "cursor": page, "limit": PAGE_SIZE}, provider=self.provider)
        body = get_json(url, {"Authorization": f"Bearer {connection.token}"}, provider=self.provider,
                        secrets=(connection.token,)).body
        if not isinstance(body, dict):
            raise SourceRequestFailed("slack answered something other than a JSON object")
        if not body.get("ok"):
            raise _refusal(str(body.get("error") or "unknown error"))
        messages = [message for message in body.get("messages") or [] if message.get("ts")]
        records = [self._record(connection, channel, message) for message in messages]
        next_cursor = (body.get("response_metadata") or {}).get("next_cursor") or None
        watermark = max((str(message["ts"]) for message in messages), key=epoch_key, default="")
        return Page(records, next_cursor if body.get("has_more") and next_cursor else None, watermark)

    def newer(self, first: str, second: str) -> str:
        return max(first, second, key=epoch_key)

    @staticmethod
    def _record(connection: Connection, channel: str, message: dict[str, Any]) -> Record:
        ts = str(message["ts"])
        return Record(
            remote_id=ts,
            author=str(message.get("user") or message.get("username") or message.get("bot_id") or ""),
            url=str(message.get("permalink") or f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"),
            time=from_epoch(ts),
            text=str(message.get("text") or ""),
        )


def _refusal(error: str) -> Exception:
    if error == "ratelimited":
        return SourceThrottled("slack answered ratelimited", retry_after=DEFAULT_RETRY_AFTER)
    if error in _AUTH_ERRORS:
        return SourceAuthFailed(f"slack refused the connection's token: {error}")
    return SourceRequestFailed(f"slack answered {error}")
