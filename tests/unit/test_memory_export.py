"""Export of a project's memory (cairn.memory.service.transfer), page by page, against the shared moto."""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.types import Binary

from cairn.aws.keys import ProjectRef
from cairn.aws.partition import NotLive
from cairn.aws.table import table
from cairn.core.settings import get_settings
from cairn.memory.service import transfer
from cairn.memory.store.transfer import portable
from tests.http.helpers import create_branch, create_project, logged, stored, url


def _records(tenant: str, project: str, limit: int = 500) -> list[dict[str, Any]]:
    return [record for page in transfer.export_pages(tenant, project, limit=limit) for record in page]


def test_an_export_holds_the_project_its_branches_milestones_and_log_with_sequences_and_hashes(agent: Any) -> None:
    project = create_project(agent)["projectId"]
    create_branch(agent, project, "feature")
    first = stored(agent, project, 1)
    second = stored(agent, project, 2)
    entry = logged(agent, project, 1)

    records = _records(agent.tenant, project)

    [head] = [r for r in records if r["entity"] == "project"]
    assert (head["projectId"], head["lifecycle"]) == (project, "live")
    assert (head["activeBranches"], head["$sets"]) == (["feature", "main"], ["activeBranches"])  # JSON has no set
    milestones = {r["milestoneId"]: r for r in records if r["entity"] == "milestone"}
    assert milestones[first["milestoneId"]]["sequenceNumber"] == first["sequenceNumber"]
    assert milestones[second["milestoneId"]]["contentHash"] == second["contentHash"]
    assert milestones[second["milestoneId"]]["cumulativeProgress"] == "progress 2"
    [log] = [r for r in records if r["entity"] == "log-entry"]
    assert (log["entryId"], log["content"]) == (entry["entryId"], "observed 1")
    assert {r["branchName"] for r in records if r["entity"] == "branch"} == {"main", "feature"}
    # Nothing names where the items lived: no partition key, no index key, no blob pointer.
    assert not [name for r in records for name in r if name == "PK" or name.startswith("GSI") or name == "blobKey"]


def test_pages_hold_at_most_the_limit_and_together_every_item_once(agent: Any) -> None:
    project = create_project(agent)["projectId"]
    for tag in range(4):
        stored(agent, project, tag)

    pages = list(transfer.export_pages(agent.tenant, project, limit=3))

    assert len(pages) > 1
    assert all(len(page) <= 3 for page in pages)
    keys = [record["SK"] for page in pages for record in page]
    assert len(keys) == len(set(keys)) == len(_records(agent.tenant, project))


def test_a_large_text_offloaded_to_s3_is_exported_whole(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_INLINE_TEXT_LIMIT_BYTES", "1024")
    get_settings.cache_clear()
    project = create_project(agent)["projectId"]
    large = "x" * 5_000
    done = stored(agent, project, 1, cumulativeProgress=large)

    [record] = [r for r in _records(agent.tenant, project)
                if r["entity"] == "milestone" and r["milestoneId"] == done["milestoneId"]]

    assert (record["cumulativeProgress"], record["thisContribution"]) == (large, "contribution 1")
    raw = table().query(ProjectRef(agent.tenant, project).pk).items
    assert any("blobKey" in item for item in raw)  # it was offloaded indeed


def test_another_tenants_or_a_deleted_project_is_not_found(agent: Any, tenant: str, purge_starter: Any) -> None:
    project = create_project(agent)["projectId"]
    with pytest.raises(NotLive):
        transfer.export_pages(tenant, project)
    assert agent.delete(url(project)).status_code < 300
    with pytest.raises(NotLive):
        transfer.export_pages(agent.tenant, project)


def test_a_binary_attribute_is_exported_as_base64_and_named() -> None:
    record = portable({"PK": "T#t#P#p", "SK": "KNOWVEC#k", "entity": "knowledge-vector", "vector": Binary(b"\x00\x01")})

    assert record == {"SK": "KNOWVEC#k", "entity": "knowledge-vector", "vector": "AAE=", "$bytes": ["vector"]}
