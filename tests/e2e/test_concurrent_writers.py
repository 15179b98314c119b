"""Concurrent writers against the real dev server (uvicorn + embedded moto, over HTTP): every store to one branch
answers 200 and the branch is numbered 1..n without gaps. How long they take is `make bench`'s to report
(docs/benchmarks.md), not a test's: a timing assertion fails on a loaded machine, not on a regression."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import DevServer

pytestmark = pytest.mark.e2e
BASE = "/api/v1/memory/projects"
WRITERS = 20


def _store(server: DevServer, index: int) -> tuple[int, Any]:
    body = {"branchPurpose": "Concurrency", "cumulativeProgress": f"progress {index}",
            "thisContribution": f"writer {index}", "agentId": f"agent-{index}", "agentType": "custom"}
    with server.client() as api:
        response = api.post(f"{BASE}/crowd/store", json=body)
        return response.status_code, response.json()


def test_twenty_concurrent_stores_to_one_branch(server: DevServer) -> None:
    with server.client() as api:
        assert api.post(BASE, json={"projectId": "crowd", "name": "Crowd", "roadmap": ""}).status_code == 200

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = list(pool.map(lambda index: _store(server, index), range(WRITERS)))

    assert [status for status, _ in results] == [200] * WRITERS, [body for _, body in results]
    assert sorted(body["sequenceNumber"] for _, body in results) == list(range(1, WRITERS + 1))
    with server.client() as api:
        recalled = api.get(f"{BASE}/crowd/recall", params={"view": "branch", "limit": 50}).json()
    assert [m["sequenceNumber"] for m in recalled["milestones"]] == list(range(WRITERS, 0, -1))
