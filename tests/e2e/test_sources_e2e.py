"""End to end against the dev server (`make dev`): a Slack connection to a fake Slack on 127.0.0.1, a source,
a sync through the local Step Functions, its status polled to idle, its records listed, and an intelligence
question answered with a citation of a Slack message."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from cairn_local.fake_remote import fake_remote_server, slack_history
from tests.e2e.conftest import DevServer

pytestmark = pytest.mark.e2e

MESSAGES = [
    {"type": "message", "user": "U-alice", "ts": "1767000001.000100", "text": "Lunch at noon?"},
    {"type": "message", "user": "U-bob", "ts": "1767000002.000100",
     "text": "The Redis failover drill moved to Friday because the replica lag alarm kept firing"},
    {"type": "message", "user": "U-carol", "ts": "1767000003.000100", "text": "Release notes are in the wiki"},
]


def until(check: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{what} within {timeout:g} s"
        time.sleep(0.2)


def test_a_slack_channel_synced_end_to_end_and_cited(server: DevServer) -> None:
    with fake_remote_server() as slack, server.client() as api:
        slack.route("/api/conversations.history", slack_history(MESSAGES))
        ok(api.put("/api/v1/memory/connections/slack", json={"token": "xoxb-good", "baseUrl": f"{slack.url}/api"}))
        ok(api.post("/api/v1/memory/projects", json={"projectId": "ops", "name": "Ops", "roadmap": "Reliability"}))
        ok(api.post("/api/v1/memory/sources", json={"sourceId": "slack-ops", "projectId": "ops", "sourceType": "slack",
                                                    "config": {"channelId": "C0OPS00001"}}))

        started = ok(api.post("/api/v1/memory/sources/slack-ops/sync"))
        assert started["state"] in ("running", "idle")
        status = until(lambda: (s := ok(api.get("/api/v1/memory/sources/slack-ops/status")))["state"] == "idle" and s,
                       "the sync ended idle")
        assert (status["syncCursor"], status["itemsSynced"], status["lastError"]) == ("1767000003.000100", 3, None)

        records = ok(api.get("/api/v1/memory/sources/slack-ops/records"))["records"]
        assert [r["remoteId"] for r in records] == ["1767000003.000100", "1767000002.000100", "1767000001.000100"]

        def cited() -> list[dict[str, Any]]:
            answer = ok(api.post("/api/v1/memory/intelligence/query", json={
                "question": "Why did the Redis failover drill move?", "projectIds": ["ops"], "timeRange": "all"}))
            return [s for s in answer["sources"] if s.get("sourceId") == "slack-ops"]

        citation = until(cited, "the answer cites the Slack message")[0]
        assert citation["remoteId"] == "1767000002.000100"
        assert citation["author"] == "U-bob"
        assert citation["url"] == "https://slack.com/archives/C0OPS00001/p1767000002000100"


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()
