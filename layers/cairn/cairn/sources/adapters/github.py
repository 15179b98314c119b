"""GitHub: the repository's commits, then its issues and pull requests (the issues API lists both, a pull
request with a ``pull_request`` member), each since the cursor (the newest commit or update time synced),
paged by the ``Link`` header's ``rel="next"``.

The page token is ``<stream> <url>``: the run reads the commits stream to its end, then the issues stream.
``since`` is inclusive, so the newest item of the last run comes again: ingest is idempotent by remote id.
Conditional requests (``If-None-Match``) are not used: the ``since`` of every run differs, so an etag of the
previous run's URL would never match."""

from __future__ import annotations

import re
from typing import Any

from cairn.sources.adapters.base import PAGE_SIZE, Connection, Page, Record, SourceRequestFailed
from cairn.sources.adapters.http import get_json, same_origin, url_for
from cairn.sources.adapters.times import iso, later

_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_STREAMS = ("commits", "issues")


class GitHub:
    provider = "github"

    def fetch_page(self, connection: Connection, config: dict[str, Any], cursor: str,
                   page: str | None) -> Page:
        repository = str(config["repository"])
        stream, url = page.split(" ", 1) if page else ("commits", "")
        url = same_origin(url, connection.base_url, self.provider) if url else self._first(
            connection, repository, stream, cursor)
        answer = get_json(url, {"Authorization": f"Bearer {connection.token}",
                                "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
                          provider=self.provider, secrets=(connection.token,))
        if not isinstance(answer.body, list):
            raise SourceRequestFailed(f"github answered something other than a list for {stream}")
        records = [self._commit(item) if stream == "commits" else self._issue(item) for item in answer.body]
        watermark = ""
        for record in records:
            watermark = later(watermark, record.time)
        link = _NEXT.search(answer.headers.get("link", ""))
        if link:
            next_page: str | None = f"{stream} {link.group(1)}"
        else:
            following = _STREAMS.index(stream) + 1
            next_page = f"{_STREAMS[following]} " if following < len(_STREAMS) else None
        return Page(records, next_page, watermark)

    def newer(self, first: str, second: str) -> str:
        return later(first, second)

    def _first(self, connection: Connection, repository: str, stream: str, cursor: str) -> str:
        params: dict[str, Any] = {"since": cursor, "per_page": PAGE_SIZE}
        if stream == "issues":
            params |= {"state": "all", "sort": "updated", "direction": "asc"}
        return url_for(connection.base_url, f"/repos/{repository}/{stream}", params, provider=self.provider)

    @staticmethod
    def _commit(item: dict[str, Any]) -> Record:
        commit = item.get("commit") or {}
        author = (item.get("author") or {}).get("login") or (commit.get("author") or {}).get("name") or ""
        moment = (commit.get("committer") or {}).get("date") or (commit.get("author") or {}).get("date") or ""
        return Record(remote_id=f"commit:{item['sha']}", author=str(author), url=str(item.get("html_url") or ""),
                      time=iso(str(moment)), text=str(commit.get("message") or ""))

    @staticmethod
    def _issue(item: dict[str, Any]) -> Record:
        kind = "pull" if item.get("pull_request") else "issue"
        title, body = str(item.get("title") or ""), str(item.get("body") or "")
        return Record(remote_id=f"{kind}:{item['number']}", author=str((item.get("user") or {}).get("login") or ""),
                      url=str(item.get("html_url") or ""), time=iso(str(item.get("updated_at") or "")),
                      text=f"{title}\n\n{body}".strip())
