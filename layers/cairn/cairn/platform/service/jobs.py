"""Jobs (docs/platform.md, "Jobs"): queueing one and starting its workflow, settling it, retrying a failed one,
and what a caller reads: another tenant's job is not found, and a succeeded export answers a presigned GET of
its artifact, made at each read (it expires)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from cairn.aws import workflows
from cairn.aws.table import ConditionFailed
from cairn.core.errors import Conflict, NotFound
from cairn.core.observability import logger
from cairn.core.settings import get_settings
from cairn.memory.service import transfer
from cairn.platform.store import artifacts, jobs

ARTIFACT_URL_SECONDS = 3600
START_FAILED = "workflow_start_failed"


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"


def queue(tenant: str, kind: str, project_ids: list[str], *, job_id: str | None = None, start: bool = True,
          **fields: Any) -> dict[str, Any]:
    """A new queued job of ``kind``; its workflow is started unless ``start`` is False (an import waiting for
    its upload). The job as a caller reads it."""
    job = jobs.create(tenant, job_id or new_id(kind), kind, project_ids, **fields)
    if start:
        start_workflow(tenant, job)
    return get(tenant, job["jobId"])


def execution_name(job_id: str, retries: int) -> str:
    """The name of a job's execution: the job id for its first run, ``{jobId}-retry-{n}`` for its n-th retry."""
    return job_id if retries == 0 else f"{job_id}-retry-{retries}"


def start_workflow(tenant: str, job: dict[str, Any], retry_of: dict[str, Any] | None = None) -> None:
    """Starts the job's state machine through ``workflows.start`` (its WorkflowExecution record, resource
    ``{jobId}``, ``retryOf`` the execution it retries); each retry is an execution of its own. A start that
    fails fails the job (and is raised)."""
    job_id, kind, retries = job["jobId"], job["kind"], int(job.get("retryCount") or 0)
    settings = get_settings()
    machine = settings.export_state_machine_arn if kind == jobs.EXPORT else settings.import_state_machine_arn
    try:
        workflows.start(tenant, kind, {"jobId": job_id}, machine, execution_name(job_id, retries),
                        {"tenantId": tenant, "jobId": job_id, "kind": kind, "progress": {}}, retry_of)
    except Exception as refused:  # recorded on the job, then raised: the request fails with it
        jobs.fail(tenant, job_id, START_FAILED, f"the workflow could not be started: {type(refused).__name__}")
        raise


def succeed(tenant: str, job_id: str, kind: str, artifact_key: str | None,
            operations: Sequence[dict[str, Any]] = ()) -> bool:
    """Settles the job succeeded with ``operations`` and its ``job.completed`` event in one transaction; False
    when it was settled already (a retried final step)."""
    try:
        jobs.succeed(tenant, job_id, kind, artifact_key, operations)
    except ConditionFailed:
        return False
    return True


def fail(tenant: str, job_id: str, code: str, message: str) -> bool:
    """Fails the job (its worker's Catch, or a cancelled execution); False when it was settled already. A failed
    import's hidden copies are purged, also when this runs again (a retried step): only this job's are touched."""
    settled = jobs.fail(tenant, job_id, code, message)
    if settled:
        logger().info("job failed", jobId=job_id, errorCode=code)
    job = jobs.get(tenant, job_id)
    if job is not None and job["status"] == jobs.FAILED and job["kind"] == jobs.IMPORT:
        for target in (job.get("projectIdMap") or {}).values():
            transfer.abandon(tenant, target, job_id)
    return settled


def retry_job(tenant: str, job_id: str, retry_of: dict[str, Any] | None = None) -> dict[str, Any]:
    """Runs a failed job again as a new execution (``retryCount`` + 1) that retries its latest one: 404 for an
    unknown or another tenant's job, 409 unless it is failed. ``retry_of`` is that execution's record when the
    caller claimed it already (the workflow-executions retry route); otherwise it is claimed here, so the same
    execution is not retried a second time through the other route. The job as a caller reads it, queued again."""
    current = _item(tenant, job_id)
    try:
        job = jobs.requeue(tenant, job_id)
    except ConditionFailed:
        raise Conflict(f"job '{job_id}' is {current['status']}: only a failed job can be retried",
                       field="id") from None
    if retry_of is None:
        latest = execution_name(job_id, int(current.get("retryCount") or 0))
        try:
            retry_of = workflows.claim_retry(tenant, latest, execution_name(job_id, int(job["retryCount"])))
        except workflows.RetryRefused as refused:  # never started (its start failed), or open: nothing to link
            retry_of = refused.record
    start_workflow(tenant, job, retry_of)
    return get(tenant, job_id)


def stored(tenant: str, job_id: str) -> dict[str, Any]:
    """The job item as stored (the worker's read)."""
    return _item(tenant, job_id)


def get(tenant: str, job_id: str) -> dict[str, Any]:
    return to_wire(_item(tenant, job_id))


def listed(tenant: str) -> list[dict[str, Any]]:
    return [to_wire(item) for item in jobs.listed(tenant)]


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    key = item.get("artifactKey")
    url = artifacts.download_url(str(key), ARTIFACT_URL_SECONDS) if key else None
    return {**jobs.JOB.to_wire(item), "id": item["jobId"], "artifactUrl": url}


def _item(tenant: str, job_id: str) -> dict[str, Any]:
    found = jobs.get(tenant, job_id)
    if found is None:
        raise NotFound(f"job '{job_id}' not found", field="id")
    return found

