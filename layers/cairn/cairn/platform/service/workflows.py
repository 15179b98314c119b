"""A tenant's workflow executions (docs/platform.md, "Workflow executions"): one record as the API answers it,
read from what ``cairn.aws.workflows`` writes when it starts an execution (pages: ``platform.service.lists``);
retried and cancelled through the service of the context that owns each kind's resource (sources, tasks)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cairn.aws import workflows
from cairn.core.errors import Conflict, NotFound
from cairn.platform.service import jobs
from cairn.sources.service import sync
from cairn.tasks.service import runs


def get_execution(tenant: str, execution_id: str) -> dict[str, Any]:
    return workflows.WORKFLOW_EXECUTION.to_wire(_record(tenant, execution_id))


# --- retry and cancel (POST .../{id}/retry, POST .../{id}/cancel) --------------------------------------------


def retry(tenant: str, execution_id: str) -> dict[str, Any]:
    """Starts a new execution of a failed or cancelled one's work with the same input (a sync's new run id
    aside), ``retryCount`` + 1 and ``retryOf`` its id; answers the new record. 404 for an unknown (or another
    tenant's) id; 409 when it is open, was retried already, or its resource cannot start again (a sync running,
    a task run no longer failed); 402 when a task run's credits no longer cover it."""
    record = _record(tenant, execution_id)
    if record["status"] not in RETRYABLE:
        raise Conflict(f"workflow execution '{execution_id}' is {record['status']}: only a failed or cancelled "
                       "execution is retried", field="id")
    name = _RETRY_NAMES[record["kind"]](record)
    try:
        claimed = workflows.claim_retry(tenant, execution_id, name)
    except workflows.RetryRefused as refused:
        retried_by = (refused.record or {}).get("retriedBy")
        raise Conflict(f"workflow execution '{execution_id}' was retried already by '{retried_by}'"
                       if retried_by else f"workflow execution '{execution_id}' cannot be retried now",
                       field="id") from None
    try:
        _restart(tenant, claimed, name)
    except Exception:  # the retry did not start: it may be asked for again
        workflows.release_retry(tenant, execution_id, name)
        raise
    return get_execution(tenant, name)


def _restart(tenant: str, record: dict[str, Any], name: str) -> None:
    resource = record["resource"]
    if record["kind"] == "source_sync":
        _, started = sync.start(tenant, resource["sourceId"], name=name, retry_of=record)
        if not started:
            raise Conflict(f"source '{resource['sourceId']}' is syncing already: its running sync stands in for "
                           "the retry", field="id")
    elif record["kind"] == "task_run":
        runs.retry(tenant, resource["runId"], name, record)
    elif record["kind"] in ("export", "import"):
        jobs.retry_job(tenant, resource["jobId"], retry_of=record)
    else:  # a project purge: every page is a delete, so the same input simply runs again
        workflows.start(tenant, record["kind"], resource, record["stateMachineArn"], name, record["payload"],
                        record)


def cancel(tenant: str, execution_id: str, by: str) -> dict[str, Any]:
    """Stops a queued or running execution (StopExecution), settles its record ``cancelled`` and then its
    resource: a task run fails with its credits refunded, a sync goes back to idle with its committed cursor, an
    export or import job fails with ``errorCode: cancelled``, a purge leaves the project deleted (what it had not
    purged yet waits for a retry). 404 for an unknown id; 409 when it is settled (also when it settled by itself
    while being cancelled)."""
    record = _record(tenant, execution_id)
    if record["status"] not in workflows.OPEN:
        raise Conflict(f"workflow execution '{execution_id}' is {record['status']}: only a queued or running "
                       "execution is cancelled", field="id")
    message = f"cancelled by {by}"
    workflows.stop(record, message)
    # The record first: a step still in flight when the execution stopped may settle its resource, and then
    # finds the record settled; the resource's own conditions keep whichever settle came first.
    if not workflows.settle(tenant, execution_id, "cancelled", "Cancelled", message):
        settled = _record(tenant, execution_id)
        raise Conflict(f"workflow execution '{execution_id}' settled {settled['status']} before it could be "
                       "cancelled", field="id")
    resource = record["resource"]
    if record["kind"] == "task_run":
        runs.cancel(tenant, resource["runId"], f"Cancelled: the run's execution was {message}")
    elif record["kind"] == "source_sync":
        sync.cancel(tenant, resource["sourceId"], resource["runId"])
    elif record["kind"] in ("export", "import"):
        jobs.fail(tenant, resource["jobId"], "cancelled", message)
    return get_execution(tenant, execution_id)


RETRYABLE = ("failed", "cancelled")
_RETRY_NAMES: dict[str, Callable[[dict[str, Any]], str]] = {
    "source_sync": lambda record: f"sync-{uuid.uuid4().hex}",
    "task_run": lambda record: f"{record['resource']['runId']}-retry-{int(record['retryCount']) + 1}",
    "project_purge": lambda record: f"purge-{uuid.uuid4().hex}",
    "export": lambda record: _next_job_execution(record),
    "import": lambda record: _next_job_execution(record),
}


def _next_job_execution(record: dict[str, Any]) -> str:
    """The name the job's retry will run under (its retry count + 1; of concurrent retries the job's own
    conditional requeue lets one through)."""
    job_id = record["resource"]["jobId"]
    return jobs.execution_name(job_id, int(jobs.stored(record["tenant"], job_id).get("retryCount") or 0) + 1)


def _record(tenant: str, execution_id: str) -> dict[str, Any]:
    record = workflows.get(tenant, execution_id)
    if record is None:
        raise NotFound(f"workflow execution '{execution_id}' not found", field="id")
    return record
