"""Concurrent writers against the real dev server (uvicorn + embedded moto, over HTTP): every store to one branch
answers 200 well within the client's patience and the branch is numbered 1..n without gaps."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import DevServer

pytestmark = pytest.mark.e2e
BASE = "/api/v1/memory/projects"
WRITERS = 20
EACH_WITHIN_SECONDS = 5.0


def _store(server: DevServer, index: int) -> tuple[int, float, Any]:
    body = {"branchPurpose": "Concurrency", "cumulativeProgress": f"progress {index}",
            "thisContribution": f"writer {index}", "agentId": f"agent-{index}", "agentType": "custom"}
    with server.client() as api:
        started = time.monotonic()
        response = api.post(f"{BASE}/crowd/store", json=body)
        return response.status_code, time.monotonic() - started, response.json()


def test_twenty_concurrent_stores_to_one_branch(server: DevServer) -> None:
    with server.client() as api:
        assert api.post(BASE, json={"projectId": "crowd", "name": "Crowd", "roadmap": ""}).status_code == 200

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = list(pool.map(lambda index: _store(server, index), range(WRITERS)))

    assert [status for status, _, _ in results] == [200] * WRITERS, [body for _, _, body in results]
    slowest = max(seconds for _, seconds, _ in results)
    assert slowest < EACH_WITHIN_SECONDS, sorted(round(seconds, 2) for _, seconds, _ in results)
    assert sorted(body["sequenceNumber"] for _, _, body in results) == list(range(1, WRITERS + 1))
    with server.client() as api:
        recalled = api.get(f"{BASE}/crowd/recall", params={"view": "branch", "limit": 50}).json()
    assert [m["sequenceNumber"] for m in recalled["milestones"]] == list(range(WRITERS, 0, -1))
