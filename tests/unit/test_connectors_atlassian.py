"""The Jira and Confluence connectors against fake Atlassian Cloud APIs on 127.0.0.1: their paging
(``nextPageToken``, ``_links.next``), the time filter of the cursor, and each kind of failure."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from cairn.sources.adapters.base import (
    Connection,
    Connector,
    SourceAuthFailed,
    SourceThrottled,
    SourceUnavailable,
)
from cairn.sources.adapters.confluence import Confluence
from cairn.sources.adapters.jira import Jira
from cairn_local.fake_remote import FakeRemoteServer, Reply, Request, fake_remote_server
from tests.unit.connector_helpers import read_run

GOOD = "Basic " + base64.b64encode(b"dev@acme.test:atl-good").decode()
ISSUES = [{"key": f"API-{n}", "fields": {
    "summary": f"summary {n}", "updated": f"2026-01-03T09:{n:02d}:00.000+0000",
    "reporter": {"displayName": "Ada"},
    "description": {"type": "doc", "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "first "}, {"type": "text", "text": "line"}]}]}}} for n in range(5)]
PAGES = [{"id": str(100 + n), "title": f"page {n}", "_links": {"webui": f"/spaces/ENG/pages/{100 + n}"},
          "version": {"when": f"2026-01-04T08:{n:02d}:00.000Z", "by": {"displayName": "Grace"}},
          "body": {"storage": {"value": f"<p>Runbook &amp; notes {n}</p><p>step</p>"}}} for n in range(5)]


def jira_search(request: Request) -> Reply:
    if request.headers.get("authorization") != GOOD:
        return Reply(401, {"errorMessages": ["You are not authenticated."]})
    chosen = ISSUES if "2026-01-03 09:03" not in request.query["jql"] else ISSUES[3:]
    start = int(request.query.get("nextPageToken") or 0)
    body: dict[str, Any] = {"issues": chosen[start:start + 2], "isLast": start + 2 >= len(chosen)}
    if not body["isLast"]:
        body["nextPageToken"] = str(start + 2)
    return Reply(200, body)


def confluence_search(server: FakeRemoteServer) -> Any:
    def handler(request: Request) -> Reply:
        if request.headers.get("authorization") != GOOD:
            return Reply(401, {"message": "Unauthorized"})
        start = int(request.query.get("cursor") or 0)
        body: dict[str, Any] = {"results": PAGES[start:start + 2],
                                "_links": {"base": f"{server.url}/wiki"}}
        if start + 2 < len(PAGES):
            body["_links"]["next"] = f"/rest/api/content/search?cursor={start + 2}"
        return Reply(200, body)

    return handler


@pytest.fixture
def atlassian() -> Iterator[FakeRemoteServer]:
    with fake_remote_server() as server:
        server.route("/rest/api/3/search/jql", jira_search)
        server.route("/wiki/rest/api/content/search", confluence_search(server))
        yield server


def connection(server: FakeRemoteServer, token: str = "atl-good") -> Connection:  # noqa: S107 (a fake's token)
    return Connection(base_url=server.url, token=token, email="dev@acme.test")


CASES: list[tuple[Connector, dict[str, Any]]] = [
    (Jira(), {"projectKey": "API"}), (Confluence(), {"spaceKey": "ENG"})]


def test_jira_reads_every_page_ordered_by_update(atlassian: FakeRemoteServer) -> None:
    pages, watermark = read_run(Jira(), connection(atlassian), {"jql": "project = API ORDER BY created DESC"})

    assert [[record.remote_id for record in page] for page in pages] == [
        ["API-0", "API-1"], ["API-2", "API-3"], ["API-4"]]
    assert watermark == "2026-01-03T09:04:00Z"
    first = pages[0][0]
    assert (first.author, first.url, first.text) == ("Ada", f"{atlassian.url}/browse/API-0",
                                                     "API-0: summary 0\n\nfirst line")
    assert atlassian.requests[0].query["jql"] == "(project = API) ORDER BY updated ASC"
    assert atlassian.requests[1].query["nextPageToken"] == "2"


def test_jira_after_the_cursor_filters_by_updated(atlassian: FakeRemoteServer) -> None:
    pages, _ = read_run(Jira(), connection(atlassian), {"projectKey": "API"}, cursor="2026-01-03T09:03:00Z")

    assert [record.remote_id for page in pages for record in page] == ["API-3", "API-4"]
    assert atlassian.requests[0].query["jql"] == (
        '(project = "API") AND (updated >= "2026-01-03 09:03") ORDER BY updated ASC')


def test_confluence_reads_every_page_by_its_next_links(atlassian: FakeRemoteServer) -> None:
    pages, watermark = read_run(Confluence(), connection(atlassian), {"spaceKey": "ENG"},
                                cursor="2026-01-01T00:00:00Z")

    assert [[record.remote_id for record in page] for page in pages] == [["100", "101"], ["102", "103"], ["104"]]
    assert watermark == "2026-01-04T08:04:00Z"
    first = pages[0][0]
    assert (first.author, first.url, first.text) == (
        "Grace", f"{atlassian.url}/wiki/spaces/ENG/pages/100", "page 0\n\nRunbook & notes 0 step")
    assert atlassian.requests[0].query["cql"] == (
        '(space = "ENG") AND (lastmodified >= "2026-01-01 00:00") order by lastmodified asc')


def test_an_empty_answer_ends_the_run(atlassian: FakeRemoteServer) -> None:
    atlassian.route("/rest/api/3/search/jql", lambda _: Reply(200, {"issues": [], "isLast": True}))
    atlassian.route("/wiki/rest/api/content/search", lambda _: Reply(200, {"results": [], "_links": {}}))

    for connector, config in CASES:
        assert read_run(connector, connection(atlassian), config) == ([[]], "")


@pytest.mark.parametrize(("connector", "config"), CASES, ids=["jira", "confluence"])
def test_a_429_then_a_500_then_success(atlassian: FakeRemoteServer, connector: Connector,
                                       config: dict[str, Any]) -> None:
    atlassian.fail_next(Reply(429, {}, {"Retry-After": "2"}), Reply(503, {}))

    with pytest.raises(SourceThrottled) as raised:
        connector.fetch_page(connection(atlassian), config, "", None)
    assert raised.value.retry_after == 2
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        connector.fetch_page(connection(atlassian), config, "", None)
    assert len(connector.fetch_page(connection(atlassian), config, "", None).records) == 2


@pytest.mark.parametrize(("connector", "config"), CASES, ids=["jira", "confluence"])
def test_a_wrong_token_is_an_auth_failure(atlassian: FakeRemoteServer, connector: Connector,
                                          config: dict[str, Any]) -> None:
    with pytest.raises(SourceAuthFailed, match=f"{connector.provider} answered HTTP 401") as raised:
        connector.fetch_page(connection(atlassian, token="atl-wrong"), config, "", None)
    assert "atl-wrong" not in raised.value.message
