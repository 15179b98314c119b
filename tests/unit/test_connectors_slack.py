"""The Slack connector against a fake Slack on 127.0.0.1: paging, the cursor, and each kind of failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cairn.sources.adapters.base import Connection, SourceAuthFailed, SourceThrottled, SourceUnavailable
from cairn.sources.adapters.slack import Slack
from cairn_local.fake_remote import FakeRemoteServer, Reply, fake_remote_server, slack_history, slack_messages
from tests.unit.connector_helpers import read_run

CONFIG = {"channelId": "C0123456789"}


@pytest.fixture
def slack() -> Iterator[FakeRemoteServer]:
    with fake_remote_server() as server:
        server.route("/api/conversations.history", slack_history(slack_messages(250)))
        yield server


def connection(server: FakeRemoteServer, token: str = "xoxb-good") -> Connection:  # noqa: S107 (a fake's token)
    return Connection(base_url=f"{server.url}/api", token=token)


def test_reads_every_page_newest_first_and_the_watermark_is_the_newest_ts(slack: FakeRemoteServer) -> None:
    pages, watermark = read_run(Slack(), connection(slack), CONFIG)

    assert [len(page) for page in pages] == [100, 100, 50]
    records = [record for page in pages for record in page]
    assert len({record.remote_id for record in records}) == 250
    assert watermark == "1700000249.000100"
    newest = records[0]
    assert (newest.remote_id, newest.author, newest.text) == ("1700000249.000100", "U4", "message 249")
    assert newest.time == "2023-11-14T22:17:29Z"
    assert newest.url == "https://slack.com/archives/C0123456789/p1700000249000100"
    sent = slack.requests[1]
    assert (sent.query["channel"], sent.query["cursor"], sent.query["limit"]) == ("C0123456789", "100", "100")
    assert sent.headers["authorization"] == "Bearer xoxb-good"


def test_a_run_after_the_cursor_reads_only_newer_messages(slack: FakeRemoteServer) -> None:
    pages, watermark = read_run(Slack(), connection(slack), CONFIG, cursor="1700000239.000100")

    assert [record.text for record in pages[0]] == [f"message {n}" for n in range(249, 239, -1)]
    assert slack.requests[0].query["oldest"] == "1700000239.000100"
    assert watermark == "1700000249.000100"


def test_an_empty_page_ends_the_run_and_leaves_the_watermark_empty(slack: FakeRemoteServer) -> None:
    pages, watermark = read_run(Slack(), connection(slack), CONFIG, cursor="1800000000.000000")

    assert (pages, watermark) == ([[]], "")


def test_a_429_is_throttled_with_its_retry_after(slack: FakeRemoteServer) -> None:
    slack.fail_next(Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}))

    with pytest.raises(SourceThrottled) as raised:
        Slack().fetch_page(connection(slack), CONFIG, "", None)

    assert raised.value.retry_after == 7
    assert len(Slack().fetch_page(connection(slack), CONFIG, "", None).records) == 100


def test_a_500_is_retryable_and_the_next_call_succeeds(slack: FakeRemoteServer) -> None:
    slack.fail_next(Reply(500, {"error": "internal"}))

    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        Slack().fetch_page(connection(slack), CONFIG, "", None)
    assert len(Slack().fetch_page(connection(slack), CONFIG, "", None).records) == 100


def test_a_refused_token_is_an_auth_failure_naming_slack_and_never_the_token(slack: FakeRemoteServer) -> None:
    with pytest.raises(SourceAuthFailed) as raised:
        Slack().fetch_page(connection(slack, token="xoxb-revoked"), CONFIG, "", None)

    assert raised.value.message == "slack refused the connection's token: invalid_auth"
    assert "xoxb-revoked" not in raised.value.message


def test_an_http_401_is_an_auth_failure(slack: FakeRemoteServer) -> None:
    slack.fail_next(Reply(401, {"ok": False, "error": "not_authed"}))

    with pytest.raises(SourceAuthFailed, match="HTTP 401"):
        Slack().fetch_page(connection(slack), CONFIG, "", None)


@pytest.mark.parametrize("base_url", ["https://169.254.169.254/api", "https://10.0.0.7/api", "http://slack.com/api"])
def test_a_base_url_the_ssrf_guard_refuses_is_never_called(base_url: str) -> None:
    from cairn.core.errors import IntegrationNotConfigured

    with pytest.raises(IntegrationNotConfigured, match="baseUrl"):
        Slack().fetch_page(Connection(base_url=base_url, token="xoxb-good"), CONFIG, "", None)
