"""Confluence Cloud CQL search (``/wiki/rest/api/content/search``): the source's ``cql`` or
``space = <spaceKey>``, restricted to content modified since the cursor, ordered by ``lastmodified``, paged
by the answer's ``_links.next``."""

from __future__ import annotations

from typing import Any

from cairn.sources.adapters.atlassian import auth_headers, html_text, joined, since_clause, without_order
from cairn.sources.adapters.base import PAGE_SIZE, Connection, Page, Record, SourceRequestFailed
from cairn.sources.adapters.http import get_json, same_origin, url_for
from cairn.sources.adapters.times import iso, later


class Confluence:
    provider = "confluence"

    def fetch_page(self, connection: Connection, config: dict[str, Any], cursor: str,
                   page: str | None) -> Page:
        wiki = _wiki(connection.base_url)
        if page:
            url = same_origin(page, wiki, self.provider)
        else:
            scope = without_order(str(config.get("cql") or "")) or f'space = "{config["spaceKey"]}"'
            cql = f"{joined(scope, since_clause('lastmodified', cursor))} order by lastmodified asc"
            url = url_for(wiki, "/rest/api/content/search", {
                "cql": cql, "limit": PAGE_SIZE, "expand": "body.storage,version"}, provider=self.provider)
        body = get_json(url, auth_headers(connection), provider=self.provider, secrets=(connection.token,)).body
        if not isinstance(body, dict):
            raise SourceRequestFailed("confluence answered something other than a JSON object")
        links = body.get("_links") or {}
        records = [self._record(str(links.get("base") or wiki), item) for item in body.get("results") or []]
        watermark = ""
        for record in records:
            watermark = later(watermark, record.time)
        following = links.get("next")
        next_page = f"{wiki.rstrip('/')}{following}" if following and following.startswith("/") else following
        return Page(records, next_page or None, watermark)

    def newer(self, first: str, second: str) -> str:
        return later(first, second)

    @staticmethod
    def _record(base: str, item: dict[str, Any]) -> Record:
        version = item.get("version") or {}
        title = str(item.get("title") or "")
        body = html_text(str(((item.get("body") or {}).get("storage") or {}).get("value") or ""))
        web = str((item.get("_links") or {}).get("webui") or "")
        return Record(remote_id=str(item["id"]), author=str((version.get("by") or {}).get("displayName") or ""),
                      url=f"{base.rstrip('/')}{web}" if web else "", time=iso(str(version.get("when") or "")),
                      text=f"{title}\n\n{body}".strip())


def _wiki(base_url: str) -> str:
    """The Confluence API root: the site's ``/wiki`` (a base URL given with ``/wiki`` is taken as is)."""
    base = base_url.rstrip("/")
    return base if base.endswith("/wiki") else f"{base}/wiki"
