"""End to end: the README's walkthrough against the real dev server (uvicorn + embedded moto),
then a restart that must keep the data."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import DevServer

pytestmark = pytest.mark.e2e


def _milestone(contribution: str) -> dict[str, str]:
    return {"branchPurpose": "Core cache implementation", "cumulativeProgress": "L1 cache done",
            "thisContribution": contribution, "agentId": "claude-code-e2e", "agentType": "claude-code"}


def test_walkthrough_then_restart_keeps_data(server: DevServer) -> None:
    base = "/api/v1/memory/projects"
    with server.client() as api:
        assert api.post(base, json={"projectId": "synapse", "name": "Synapse", "roadmap": "Cache"}).status_code == 200
        first = api.post(f"{base}/synapse/store", json=_milestone("metrics")).json()
        second = api.post(f"{base}/synapse/store", json=_milestone("tracing")).json()
        assert (first["sequenceNumber"], second["sequenceNumber"]) == (1, 2)
        branch = api.post(f"{base}/synapse/branches", json={"branchName": "feature-auth", "purpose": "JWT auth",
                                                          "agentId": "claude-code-e2e"})
        assert branch.json()["status"] == "active"
        on_branch = api.post(f"{base}/synapse/store", json={**_milestone("jwt middleware"),
                                                             "branchName": "feature-auth"})
        assert on_branch.json()["sequenceNumber"] == 1
        merged = api.post(f"{base}/synapse/merge", json={"sourceBranch": "feature-auth", "mergeSummary": "JWT done",
                                                         "agentId": "claude-code-e2e"}).json()
        assert merged["milestonesMerged"] == 1
        assert merged["sourceBranchStatus"] == "merged"
        recall = api.get(f"{base}/synapse/recall", params={"view": "branch", "limit": 5}).json()
        assert [m["sequenceNumber"] for m in recall["milestones"]] == [3, 2, 1]
        assert recall["milestones"][0]["milestoneId"] == merged["mergeMilestoneId"]

        assert api.post(base, json={"projectId": "doomed", "name": "Doomed", "roadmap": ""}).status_code == 200
        assert api.post(f"{base}/doomed/store", json=_milestone("x")).status_code == 200
        assert api.delete(f"{base}/doomed").status_code == 200
        deadline = time.monotonic() + 30
        while api.post(base, json={"projectId": "doomed", "name": "Again", "roadmap": ""}).status_code != 200:
            assert time.monotonic() < deadline, "the purge state machine never finished"
            time.sleep(0.2)

    output = server.stop()
    assert "Checkpointed" in output
    server.start()
    with server.client() as api:
        overview = api.get(f"{base}/synapse/recall").json()
        assert overview["project"]["milestoneCount"] == 4
        assert overview["project"]["activeBranches"] == ["main"]
        again = api.get(f"{base}/doomed").json()
        assert again["name"] == "Again"
        assert again["milestoneCount"] == 0
