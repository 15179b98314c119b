"""Jira Cloud ``GET /rest/api/3/search/jql`` (the old ``/rest/api/3/search`` answers 410 Gone), the source's
``jql`` or ``project = <projectKey>`` restricted to issues updated since the cursor, ordered by ``updated``,
paged by ``nextPageToken`` until ``isLast``."""

from __future__ import annotations

from typing import Any

from cairn.sources.adapters.atlassian import adf_text, auth_headers, joined, since_clause, without_order
from cairn.sources.adapters.base import PAGE_SIZE, Connection, Page, Record, SourceRequestFailed
from cairn.sources.adapters.http import get_json, url_for
from cairn.sources.adapters.times import iso, later

_FIELDS = "summary,description,updated,reporter,creator"


class Jira:
    provider = "jira"

    def fetch_page(self, connection: Connection, config: dict[str, Any], cursor: str,
                   page: str | None) -> Page:
        scope = without_order(str(config.get("jql") or "")) or f'project = "{config["projectKey"]}"'
        jql = f"{joined(scope, since_clause('updated', cursor))} ORDER BY updated ASC"
        url = url_for(connection.base_url, "/rest/api/3/search/jql", {
            "jql": jql, "nextPageToken": page, "maxResults": PAGE_SIZE, "fields": _FIELDS},
            provider=self.provider)
        body = get_json(url, auth_headers(connection), provider=self.provider, secrets=(connection.token,)).body
        if not isinstance(body, dict):
            raise SourceRequestFailed("jira answered something other than a JSON object")
        records = [self._record(connection, issue) for issue in body.get("issues") or []]
        watermark = ""
        for record in records:
            watermark = later(watermark, record.time)
        token = body.get("nextPageToken")
        return Page(records, None if body.get("isLast", not token) or not token else str(token), watermark)

    def newer(self, first: str, second: str) -> str:
        return later(first, second)

    @staticmethod
    def _record(connection: Connection, issue: dict[str, Any]) -> Record:
        fields = issue.get("fields") or {}
        person = fields.get("reporter") or fields.get("creator") or {}
        summary, description = str(fields.get("summary") or ""), adf_text(fields.get("description"))
        key = str(issue["key"])
        return Record(remote_id=key, author=str(person.get("displayName") or person.get("accountId") or ""),
                      url=f"{connection.base_url.rstrip('/')}/browse/{key}", time=iso(str(fields.get("updated") or "")),
                      text=f"{key}: {summary}\n\n{description}".strip())
