"""Import and retry internals against the shared moto: the copy stays hidden until the flip, a step run twice
writes the same items, a failed job retried runs as a new execution."""

from __future__ import annotations

import time
from typing import Any

import pytest

from cairn.aws import workflows
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.core.errors import Conflict, NotFound
from cairn.platform.service import imports, job_worker, jobs
from cairn.platform.store import artifacts
from cairn.platform.store import jobs as job_items
from tests.http.helpers import assert_error, create_project, ok, stored, url
from tests.http.job_helpers import accepted, export, settled


def _items(tenant: str, project: str) -> list[dict[str, Any]]:
    return list(table().query_all(ProjectRef(tenant, project).pk))


def test_the_copy_is_hidden_until_the_flip_and_a_rerun_writes_the_same_items(agent: Any) -> None:
    project = create_project(agent)["projectId"]
    stored(agent, project, 1)
    exported = settled(agent, accepted(export(agent, [project]))["id"])
    copy = f"{project}-c"
    job = jobs.queue(agent.tenant, "import", [copy], start=False, projectIdMap={project: copy},
                     sourceKey=artifacts.artifact_key(agent.tenant, exported["id"]))
    job_items.start(agent.tenant, job["id"])
    begun = imports.begin(agent.tenant, job_items.get(agent.tenant, job["id"]) or {})

    done = begun
    while not done["done"]:  # ranges shorter than a line: each step reads one line whole all the same
        done = imports.step(done, chunk_bytes=64)
    written = _items(agent.tenant, copy)
    again = imports.step(begun)  # the import run again from its start, in one step: nothing twice

    assert again == done
    assert _items(agent.tenant, copy) == written
    assert_error(agent.get(url(copy)), 404)
    assert copy not in [p["projectId"] for p in ok(agent.get("/api/v1/memory/projects"))["projects"]]
    state = {"tenantId": agent.tenant, "jobId": job["id"], "kind": "import", "progress": done}
    job_worker.settle(state)
    assert ok(agent.get(url(copy)))["milestoneCount"] == 1
    assert copy in [p["projectId"] for p in ok(agent.get("/api/v1/memory/projects"))["projects"]]
    assert job_worker.index(state)["indexed"] == 1  # the copy's own index, the original's left as it was
    assert [item for item in _items(agent.tenant, copy) if "GSI3PK" in item] == []
    hits = ok(agent.post(url(copy, "/search"), json={"query": "contribution"}))["milestones"]
    assert [hit["projectId"] for hit in hits] == [copy]


def test_a_failed_job_is_retried_as_a_new_execution_and_only_a_failed_one(agent: Any) -> None:
    project = create_project(agent)["projectId"]
    job = jobs.queue(agent.tenant, "export", [project], start=False)
    job_items.start(agent.tenant, job["id"])
    job_items.fail(agent.tenant, job["id"], "job_failed", "the export failed (States.Timeout)")

    retried = jobs.retry_job(agent.tenant, job["id"])

    assert (retried["status"], retried["retryCount"], retried["errorCode"]) == ("queued", 1, None)
    with pytest.raises(Conflict):
        jobs.retry_job(agent.tenant, job["id"])
    with pytest.raises(NotFound):
        jobs.retry_job(f"{agent.tenant}-other", job["id"])
    deadline = time.monotonic() + 30
    while jobs.get(agent.tenant, job["id"])["status"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    execution = workflows.get(agent.tenant, f"{job['id']}-retry-1")
    assert execution is not None
    assert (execution["kind"], execution["resource"]) == ("export", {"jobId": job["id"]})
