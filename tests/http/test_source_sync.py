"""The source-sync state machine through moto's Step Functions interpreter, its Lambda tasks dispatched in
process to the real worker (functions/source_sync/app.py), against a fake Slack on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from cairn.core.errors import Conflict
from cairn.sources.service.sync import start_sync
from cairn_local.fake_remote import FakeRemoteServer, Reply, Request, fake_remote_server, slack_history, slack_messages
from tests.conftest import Caller
from tests.http.sync_helpers import add_source, connect, records, source, wait_for_syncs

PROJECT = "synapse-backend"
SOURCE = "slack-eng"
CONFIG = {"channelId": "C0123456789"}
NEWEST = "1700000249.000100"


@pytest.fixture
def slack(aws: dict[str, str]) -> Iterator[FakeRemoteServer]:
    with fake_remote_server() as server:
        server.route("/api/conversations.history", slack_history(slack_messages(250)))
        yield server


@pytest.fixture
def tenant(agent: Caller, project: str) -> str:
    """The tenant of ``agent``, which has the project ``PROJECT``."""
    return agent.tenant


@pytest.fixture
def connected(tenant: str, slack: FakeRemoteServer) -> FakeRemoteServer:
    connect(tenant, "slack", f"{slack.url}/api", "xoxb-good")
    add_source(tenant, PROJECT, SOURCE, "slack", CONFIG)
    return slack


def stored(tenant: str) -> list[dict[str, object]]:
    return records(tenant, PROJECT, SOURCE)


def sync(tenant: str) -> dict[str, object]:
    start_sync(tenant, SOURCE)
    wait_for_syncs(tenant)
    found = source(tenant, SOURCE)
    assert found is not None
    return found


def test_a_sync_stores_every_message_and_commits_the_newest_cursor(tenant: str,
                                                                   connected: FakeRemoteServer) -> None:
    synced = sync(tenant)

    assert (synced["state"], synced["syncCursor"], synced["itemsSynced"]) == ("idle", NEWEST, 250)
    assert synced["lastSyncedAt"]
    texts = [r["text"] for r in stored(tenant)]
    assert sorted(texts) == sorted(f"message {n}" for n in range(250))
    assert [d["status"] for d in wait_for_syncs(tenant)] == ["SUCCEEDED"]


def test_a_failure_between_pages_keeps_the_cursor_and_the_next_run_resumes_without_duplicates(
        tenant: str, connected: FakeRemoteServer) -> None:
    history = slack_history(slack_messages(250))
    calls: list[Request] = []

    def second_page_refused(request: Request) -> Reply:
        calls.append(request)
        if len(calls) == 2:
            return Reply(401, {"ok": False, "error": "token_revoked"})
        return history(request)

    connected.route("/api/conversations.history", second_page_refused)
    failed = sync(tenant)

    assert failed["state"] == "failed"
    assert failed["lastError"] == "slack answered HTTP 401: token_revoked (check the slack connection's token)"
    assert failed["syncCursor"] == ""
    assert len(stored(tenant)) == 100

    resumed = sync(tenant)
    assert (resumed["state"], resumed["syncCursor"], resumed.get("lastError")) == ("idle", NEWEST, None)
    assert len(stored(tenant)) == 250

    connected.route("/api/conversations.history", slack_history(slack_messages(260)))
    sync(tenant)
    assert len(stored(tenant)) == 260
    assert calls[0].query.get("oldest") is None
    assert connected.requests[-1].query["oldest"] == NEWEST


def test_a_429_is_waited_out_for_its_retry_after_and_a_500_retried(tenant: str,
                                                                  connected: FakeRemoteServer) -> None:
    connected.fail_next(Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
                        Reply(500, {"error": "internal"}))

    synced = sync(tenant)

    assert (synced["state"], synced["itemsSynced"]) == ("idle", 250)
    assert len(stored(tenant)) == 250
    assert len(connected.requests) == 5  # the 429, the 500, then the three pages


def test_two_concurrent_sync_requests_start_one_execution(tenant: str, connected: FakeRemoteServer) -> None:
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: start_sync(tenant, SOURCE), range(2)))

    assert [answer["state"] for answer in answers] == ["running", "running"]
    assert len(wait_for_syncs(tenant)) == 1
    assert len(stored(tenant)) == 250


def test_deleting_the_source_mid_sync_leaves_no_records(tenant: str, connected: FakeRemoteServer) -> None:
    from cairn.sources.store import records as record_store
    from cairn.sources.store import sources

    history = slack_history(slack_messages(250))

    def deleted_after_the_first_page(request: Request) -> Reply:
        if request.query.get("cursor"):
            # what deleting the source does: its item, then its records
            sources.delete(tenant, SOURCE)
            record_store.remove(tenant, PROJECT, SOURCE)
        return history(request)

    connected.route("/api/conversations.history", deleted_after_the_first_page)
    start_sync(tenant, SOURCE)

    assert [d["status"] for d in wait_for_syncs(tenant)] == ["SUCCEEDED"]
    assert source(tenant, SOURCE) is None
    assert stored(tenant) == []


def test_a_disabled_source_or_one_without_a_connection_is_a_conflict(tenant: str,
                                                                     connected: FakeRemoteServer) -> None:
    add_source(tenant, PROJECT, "off", "slack", CONFIG, enabled=False)
    add_source(tenant, PROJECT, "jira-api", "jira", {"projectKey": "API"})

    with pytest.raises(Conflict, match="disabled"):
        start_sync(tenant, "off")
    with pytest.raises(Conflict, match="no jira connection"):
        start_sync(tenant, "jira-api")
    assert wait_for_syncs(tenant) == []


def test_the_sync_route_answers_the_status_and_409s_name_why(agent: Caller, connected: FakeRemoteServer) -> None:
    from tests.http.helpers import assert_error

    base = "/api/v1/memory/sources"
    first = agent.post(f"{base}/{SOURCE}/sync")
    second = agent.post(f"{base}/{SOURCE}/sync")

    assert first.status_code == second.status_code == 200
    assert first.json()["state"] == second.json()["state"] == "running"
    assert len(wait_for_syncs(agent.tenant)) == 1
    assert agent.get(f"{base}/{SOURCE}/status").json()["state"] == "idle"

    add_source(agent.tenant, PROJECT, "jira-api", "jira", {"projectKey": "API"})
    missing = assert_error(agent.post(f"{base}/jira-api/sync"), 409, code="conflict", field="sourceType")
    assert missing["message"].startswith("no jira connection for this tenant")
    assert agent.get(f"{base}/jira-api/status").json()["lastError"] == missing["message"]
    add_source(agent.tenant, PROJECT, "off", "slack", CONFIG, enabled=False)
    assert_error(agent.post(f"{base}/off/sync"), 409, code="conflict", field="enabled")
    assert_error(agent.post(f"{base}/nope/sync"), 404, code="not_found")


def test_a_run_that_spends_its_page_budget_pauses_and_the_next_run_goes_on(
        tenant: str, connected: FakeRemoteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.sources.service import sync_steps

    monkeypatch.setattr(sync_steps, "PAGES_PER_RUN", 2)

    paused = sync(tenant)
    assert (paused["state"], paused["syncCursor"], paused["resumePage"]) == ("idle", "", "200")
    assert len(stored(tenant)) == 200

    finished = sync(tenant)
    assert (finished["state"], finished["syncCursor"], finished.get("resumePage")) == ("idle", NEWEST, None)
    assert connected.requests[-1].query["cursor"] == "200"  # went on from the paused run's paging token
    assert len(stored(tenant)) == 250
