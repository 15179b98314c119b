"""Jobs (cairn.platform.store.jobs and service.jobs) against the shared moto: the lifecycle and what a caller
reads."""

from __future__ import annotations

import pytest

from cairn.aws import failures, outbox
from cairn.aws.table import ConditionFailed
from cairn.core.errors import NotFound
from cairn.platform.service import jobs as service
from cairn.platform.store import jobs


def test_a_job_goes_queued_running_succeeded_and_answers_its_artifact(aws: dict[str, str], tenant: str) -> None:
    jobs.create(tenant, "job-1", "export", ["p-1"])
    queued = service.get(tenant, "job-1")
    assert (queued["status"], queued["startedAt"], queued["artifactUrl"]) == ("queued", None, None)

    jobs.start(tenant, "job-1")
    jobs.start(tenant, "job-1")  # the worker was retried
    jobs.succeed(tenant, "job-1", "export", "tenants/t/exports/job-1.jsonl")

    done = service.get(tenant, "job-1")
    assert (done["status"], done["retryCount"], done["errorCode"]) == ("succeeded", 1, None)
    assert done["queuedAt"] <= done["startedAt"] <= done["completedAt"]
    assert "job-1.jsonl" in done["artifactUrl"]
    assert done["id"] == "job-1"
    completed = [event for event in outbox.listed(tenant) if event["topic"] == "job.completed"]
    assert [event["detail"] for event in completed] == [{"jobId": "job-1", "kind": "export"}]


def test_a_settled_job_stays_settled(aws: dict[str, str], tenant: str) -> None:
    jobs.create(tenant, "job-2", "import", [])
    jobs.start(tenant, "job-2")
    jobs.fail(tenant, "job-2", "import_bad_line", "line 7: not JSON")

    with pytest.raises(ConditionFailed):
        jobs.succeed(tenant, "job-2", "import", None)
    with pytest.raises(ConditionFailed):
        jobs.start(tenant, "job-2")
    failed = service.get(tenant, "job-2")
    assert (failed["status"], failed["errorCode"], failed["errorMessage"]) == (
        "failed", "import_bad_line", "line 7: not JSON")
    assert [event["topic"] for event in outbox.listed(tenant)] == []  # no job.completed for a failed job
    assert jobs.get(tenant, "job-2")["GSI2PK"] == failures.failures_pk(tenant)


def test_a_failed_job_is_queued_again_once_and_leaves_the_failures_index(aws: dict[str, str], tenant: str) -> None:
    jobs.create(tenant, "job-5", "export", [])
    jobs.start(tenant, "job-5")
    jobs.fail(tenant, "job-5", "job_failed", "boom")

    again = jobs.requeue(tenant, "job-5")
    with pytest.raises(ConditionFailed):
        jobs.requeue(tenant, "job-5")  # queued now: a second retry has nothing to retry

    assert (again["status"], again["retryCount"], again.get("errorCode")) == ("queued", 1, None)
    assert "GSI2PK" not in again


def test_another_tenants_job_is_not_found_and_not_listed(aws: dict[str, str], tenant: str) -> None:
    jobs.create(tenant, "job-3", "export", [])

    with pytest.raises(NotFound):
        service.get(f"{tenant}-other", "job-3")
    assert service.listed(f"{tenant}-other") == []
    assert [job["jobId"] for job in service.listed(tenant)] == ["job-3"]


def test_a_job_id_is_created_once(aws: dict[str, str], tenant: str) -> None:
    jobs.create(tenant, "job-4", "export", [])
    with pytest.raises(ConditionFailed):
        jobs.create(tenant, "job-4", "export", [])
