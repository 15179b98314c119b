"""`kill -9` of the dev server loses no acknowledged write: every 2xx before the kill is there after
`make dev` starts again, including concurrent writes, large texts kept in S3, log entries and metadata."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import DevServer

pytestmark = pytest.mark.e2e
BASE = "/api/v1/memory/projects"
LARGE = "🧭" * 50_000  # 50,000 characters, 200,000 bytes of UTF-8: stored in S3, not in the item


def _milestone(number: int, branch: str = "main", progress: str | None = None) -> dict[str, Any]:
    return {"branchName": branch, "branchPurpose": "Durability", "cumulativeProgress": progress or f"progress {number}",
            "thisContribution": f"contribution {number}", "agentId": "e2e-agent"}


def _acknowledged_writes(server: DevServer) -> dict[str, Any]:
    """Concurrent writes of every kind; returns what the server acknowledged."""
    with server.client() as api:
        assert api.post(BASE, json={"projectId": "kept", "name": "Kept", "roadmap": "Survive"}).status_code == 200
        assert api.post(f"{BASE}/kept/branches", json={"branchName": "side", "purpose": "Side",
                                                       "agentId": "e2e-agent"}).status_code == 200

        def store(number: int) -> dict[str, Any]:
            response = api.post(f"{BASE}/kept/store", json=_milestone(number, "main" if number % 2 else "side"))
            assert response.status_code == 200, response.text
            return response.json()

        def log(number: int) -> None:
            response = api.post(f"{BASE}/kept/log", json={"branchName": "main", "agentId": "e2e-agent",
                                                           "phase": "observation", "content": f"seen {number}"})
            assert response.status_code == 200, response.text

        with ThreadPoolExecutor(max_workers=6) as pool:
            milestones = list(pool.map(store, range(1, 41)))
            list(pool.map(log, range(1, 11)))
        large = api.post(f"{BASE}/kept/store", json=_milestone(99, progress=LARGE))
        assert large.status_code == 200, large.text
        metadata = api.put(f"{BASE}/kept/metadata/decisions", json={"cache": "redis", "ttl": 60})
        assert metadata.status_code == 200, metadata.text
    return {"milestones": [*milestones, large.json()], "large": large.json()["milestoneId"]}


def _assert_all_there(server: DevServer, acknowledged: dict[str, Any]) -> None:
    with server.client() as api:
        for milestone in acknowledged["milestones"]:
            found = api.get(f"{BASE}/kept/recall",
                            params={"view": "milestone", "milestoneId": milestone["milestoneId"]})
            assert found.status_code == 200, found.text
            assert found.json()["milestones"][0]["sequenceNumber"] == milestone["sequenceNumber"]
        large = api.get(f"{BASE}/kept/recall", params={"view": "milestone", "milestoneId": acknowledged["large"]})
        assert large.json()["milestones"][0]["cumulativeProgress"] == LARGE
        project = api.get(f"{BASE}/kept").json()
        assert project["milestoneCount"] == len(acknowledged["milestones"])
        log = api.get(f"{BASE}/kept/recall", params={"view": "log", "branch": "main", "limit": 50}).json()
        assert len(log["logEntries"]) == 10
        metadata = api.get(f"{BASE}/kept/recall", params={"view": "metadata", "segment": "decisions"}).json()
        assert metadata["metadata"]["content"] == {"cache": "redis", "ttl": 60}


def test_kill_9_keeps_every_acknowledged_write(server: DevServer) -> None:
    acknowledged = _acknowledged_writes(server)
    server.crash()
    server.start()
    _assert_all_there(server, acknowledged)

    with server.client() as api:  # writes after a restart are journaled too
        after = api.post(f"{BASE}/kept/store", json=_milestone(100))
        assert after.status_code == 200, after.text
    acknowledged["milestones"].append(after.json())
    server.crash()
    server.start()
    _assert_all_there(server, acknowledged)
