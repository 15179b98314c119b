"""The GitHub connector against a fake GitHub on 127.0.0.1: commits then issues and pull requests since the
cursor, ``Link`` paging, and each kind of failure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cairn.sources.adapters.base import (
    Connection,
    SourceAuthFailed,
    SourceRequestFailed,
    SourceThrottled,
    SourceUnavailable,
)
from cairn.sources.adapters.github import GitHub
from cairn_local.fake_remote import FakeRemoteServer, Reply, Request, fake_remote_server
from tests.unit.connector_helpers import read_run

CONFIG = {"repository": "acme/api"}
COMMITS = [{"sha": f"{n:040x}", "html_url": f"https://github.com/acme/api/commit/{n:040x}",
            "author": {"login": "octo"}, "commit": {"message": f"commit {n}", "author": {"name": "Octo"},
                                                   "committer": {"date": f"2026-01-01T10:{n:02d}:00Z"}}}
           for n in range(5)]
ISSUES = [{"number": n, "title": f"issue {n}", "body": "details", "user": {"login": "hubot"},
           "html_url": f"https://github.com/acme/api/issues/{n}", "updated_at": f"2026-01-02T10:{n:02d}:00Z",
           **({"pull_request": {"url": "..."}} if n % 2 else {})} for n in range(3)]


def paged(server: FakeRemoteServer, items: list[dict[str, Any]], key: str, per_page: int = 2) -> Any:
    def handler(request: Request) -> Reply:
        if request.headers.get("authorization") != "Bearer ghp-good":
            return Reply(401, {"message": "Bad credentials"})
        since = request.query.get("since", "")
        chosen = [item for item in items if key_of(item, key) >= since]
        page = int(request.query.get("page", 1))
        body = chosen[(page - 1) * per_page:page * per_page]
        headers = {}
        if page * per_page < len(chosen):
            headers["Link"] = f'<{server.url}{request.path}?since={since}&page={page + 1}>; rel="next"'
        return Reply(200, body, headers)

    return handler


def key_of(item: dict[str, Any], key: str) -> str:
    return str(item["commit"]["committer"]["date"] if key == "commit" else item["updated_at"])


@pytest.fixture
def github() -> Iterator[FakeRemoteServer]:
    with fake_remote_server() as server:
        server.route("/repos/acme/api/commits", paged(server, COMMITS, "commit"))
        server.route("/repos/acme/api/issues", paged(server, ISSUES, "issue"))
        yield server


def connection(server: FakeRemoteServer, token: str = "ghp-good") -> Connection:  # noqa: S107 (a fake's token)
    return Connection(base_url=server.url, token=token)


def test_reads_commits_then_issues_and_pulls_over_link_pages(github: FakeRemoteServer) -> None:
    pages, watermark = read_run(GitHub(), connection(github), CONFIG)

    ids = [record.remote_id for page in pages for record in page]
    assert ids == [f"commit:{n:040x}" for n in range(5)] + ["issue:0", "pull:1", "issue:2"]
    assert [len(page) for page in pages] == [2, 2, 1, 2, 1]
    assert watermark == "2026-01-02T10:02:00Z"
    pull = next(record for page in pages for record in page if record.remote_id == "pull:1")
    assert (pull.author, pull.url, pull.text) == ("hubot", "https://github.com/acme/api/issues/1",
                                                  "issue 1\n\ndetails")
    issues_first = next(request for request in github.requests if request.path.endswith("/issues"))
    assert (issues_first.query["state"], issues_first.query["sort"]) == ("all", "updated")


def test_a_run_after_the_cursor_asks_since_it(github: FakeRemoteServer) -> None:
    pages, watermark = read_run(GitHub(), connection(github), CONFIG, cursor="2026-01-02T10:01:00Z")

    assert [record.remote_id for page in pages for record in page] == ["pull:1", "issue:2"]
    assert {request.query.get("since") for request in github.requests} == {"2026-01-02T10:01:00Z"}
    assert watermark == "2026-01-02T10:02:00Z"


def test_an_empty_repository_ends_with_empty_pages(github: FakeRemoteServer) -> None:
    pages, watermark = read_run(GitHub(), connection(github), CONFIG, cursor="2027-01-01T00:00:00Z")

    assert (pages, watermark) == ([[], []], "")


def test_a_429_and_a_rate_limited_403_are_throttled(github: FakeRemoteServer) -> None:
    github.fail_next(Reply(429, {"message": "slow down"}, {"Retry-After": "3"}),
                     Reply(403, {"message": "secondary rate limit"}, {"Retry-After": "60"}))

    for wait in (3, 60):
        with pytest.raises(SourceThrottled) as raised:
            GitHub().fetch_page(connection(github), CONFIG, "", None)
        assert raised.value.retry_after == wait


def test_a_500_then_success(github: FakeRemoteServer) -> None:
    github.fail_next(Reply(502, {"message": "bad gateway"}))

    with pytest.raises(SourceUnavailable):
        GitHub().fetch_page(connection(github), CONFIG, "", None)
    assert len(GitHub().fetch_page(connection(github), CONFIG, "", None).records) == 2


def test_bad_credentials_are_an_auth_failure_with_githubs_words(github: FakeRemoteServer) -> None:
    with pytest.raises(SourceAuthFailed, match="Bad credentials") as raised:
        GitHub().fetch_page(connection(github, token="ghp-bad"), CONFIG, "", None)
    assert "ghp-bad" not in raised.value.message


def test_a_paging_link_to_another_host_is_refused(github: FakeRemoteServer) -> None:
    github.route("/repos/acme/api/commits", lambda _: Reply(200, [], {
        "Link": '<http://169.254.169.254/latest/meta-data>; rel="next"'}))
    page = GitHub().fetch_page(connection(github), CONFIG, "", None)

    with pytest.raises(SourceRequestFailed, match="another host"):
        GitHub().fetch_page(connection(github), CONFIG, "", page.next_page)
