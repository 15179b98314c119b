"""GET /api/v1/jobs and GET /api/v1/jobs/{id} through the gateway: the list envelope, the job's fields, another
tenant's job 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cairn.platform.store import jobs
from tests.http.helpers import assert_error, ok


def test_a_viewer_lists_and_reads_the_tenants_jobs(caller: Callable[..., Any]) -> None:
    viewer = caller(roles=("viewer",))
    jobs.create(viewer.tenant, "job-a", "export", ["p-1"])
    jobs.create(viewer.tenant, "job-b", "import", [])
    jobs.start(viewer.tenant, "job-a")
    jobs.succeed(viewer.tenant, "job-a", "export", "tenants/x/exports/job-a.jsonl")

    listed = ok(viewer.get("/api/v1/jobs", params={"kind": "export"}))
    job = ok(viewer.get("/api/v1/jobs/job-a"))

    assert [item["jobId"] for item in listed["data"]] == ["job-a"]
    assert listed["page"]["total"] == 1
    assert listed["filters"]["kind"] == "export"
    assert job["status"] == "succeeded"
    assert job["retryCount"] == 0
    assert job["errorCode"] is None
    assert "job-a.jsonl" in job["artifactUrl"]
    assert set(job) >= {"queuedAt", "startedAt", "completedAt", "errorMessage"}


def test_another_tenants_job_is_404_and_a_bad_sort_names_the_parameter(caller: Callable[..., Any]) -> None:
    owner, other = caller(roles=("admin",)), caller(roles=("admin",))
    jobs.create(owner.tenant, "job-c", "export", [])

    assert_error(other.get("/api/v1/jobs/job-c"), 404, code="not_found")
    assert ok(other.get("/api/v1/jobs"))["data"] == []
    assert_error(owner.get("/api/v1/jobs", params={"sortBy": "artifactKey"}), 400, field="sortBy")
