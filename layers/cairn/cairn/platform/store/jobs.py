"""Export and import jobs (docs/platform.md, "Jobs"): one item each in the tenant's jobs partition, moved
queued -> running -> succeeded | failed by conditional updates, so a step that runs twice (a retried Lambda
task) cannot move a settled job back. A failed job carries the failures index's keys (``cairn.aws.failures``),
set in the write that fails it and removed by the write that retries it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairn.aws import failures
from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.outbox import outbox_operation
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core.clock import utc_now

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
EXPORT, IMPORT = "export", "import"
_WIRE = ("id", "jobId", "kind", "status", "projectIds", "queuedAt", "startedAt", "completedAt", "retryCount",
         "errorCode", "errorMessage")
JOB = declare(Entity("job", pk="T#{t}#JOBS", sk="JOB#{jobId}", wire=(*_WIRE, "projectIdMap", "fromJobId"),
                     always=_WIRE))
_NOT_SETTLED = "#status IN (:queued, :running)"
_STATUS = {"#status": "status"}
_OPEN = {":queued": QUEUED, ":running": RUNNING}


def _pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#JOBS"


def _sk(job_id: str) -> str:
    return f"JOB#{job_id}"


def jobs_index_pk(tenant: str) -> str:
    """GSI1: a tenant's jobs by ``{queuedAt}#{jobId}`` (the jobs listing reads a page of it)."""
    return f"T#{escape(tenant)}#JOBLIST"


def create(tenant: str, job_id: str, kind: str, project_ids: list[str], **fields: Any) -> dict[str, Any]:
    """A queued job; ``fields`` are the kind's own (an import's ``projectIdMap``, ``sourceKey``...)."""
    queued = utc_now()
    item = {"PK": _pk(tenant), "SK": _sk(job_id), "GSI1PK": jobs_index_pk(tenant), "GSI1SK": f"{queued}#{job_id}",
            "entity": JOB.name, "id": job_id, "jobId": job_id, "kind": kind, "tenant": tenant, "status": QUEUED,
            "projectIds": project_ids, "queuedAt": queued, "retryCount": 0, **fields}
    table().put(item, condition="attribute_not_exists(PK)")
    return item


def start(tenant: str, job_id: str) -> None:
    """Running from now. A start that comes again while running (the worker was retried) counts in
    ``retryCount``; a settled job is ``ConditionFailed``."""
    try:
        table().update(_pk(tenant), _sk(job_id), "SET #status = :running, startedAt = :now",
                       condition="#status = :queued", names=_STATUS,
                       values={":queued": QUEUED, ":running": RUNNING, ":now": utc_now()})
    except ConditionFailed:
        table().update(_pk(tenant), _sk(job_id), "ADD retryCount :one", condition="#status = :running",
                       names=_STATUS, values={":running": RUNNING, ":one": 1})


def succeed(tenant: str, job_id: str, kind: str, artifact_key: str | None,
            operations: Sequence[dict[str, Any]] = ()) -> None:
    """Settles the job succeeded (with its artifact) in ONE transaction with ``operations`` (the change it
    completes: an import's projects going live) and its ``job.completed`` event. ``ConditionFailed`` when the
    job was settled already; a failure of ``operations`` is raised as ``TransactionCancelled``."""
    done = [*operations, _succeed_operation(tenant, job_id, artifact_key),
            outbox_operation(tenant, "job.completed", {"jobId": job_id, "kind": kind})]
    try:
        table().transact(done)
    except TransactionCancelled as cancelled:
        if cancelled.failed(len(operations)):
            raise ConditionFailed(None) from cancelled
        raise


def _succeed_operation(tenant: str, job_id: str, artifact_key: str | None) -> dict[str, Any]:
    update = "SET #status = :succeeded, completedAt = :now" + (", artifactKey = :key" if artifact_key else "")
    values: dict[str, Any] = {**_OPEN, ":succeeded": SUCCEEDED, ":now": utc_now()}
    if artifact_key:
        values[":key"] = artifact_key
    return table().update_op(_pk(tenant), _sk(job_id), update, condition=_NOT_SETTLED, names=_STATUS,
                             values=values)


def fail(tenant: str, job_id: str, code: str, message: str) -> bool:
    """Failed, listed among the tenant's failures; False when the job was settled already."""
    now = utc_now()
    try:
        table().update(_pk(tenant), _sk(job_id),
                       "SET #status = :failed, completedAt = :now, errorCode = :code, errorMessage = :message, "
                       + failures.SET_CLAUSE, condition=_NOT_SETTLED, names=_STATUS,
                       values={**_OPEN, ":failed": FAILED, ":now": now, ":code": code, ":message": message[:1000],
                               **failures.set_values(tenant, failures.JOB, job_id, now)})
    except ConditionFailed:
        return False
    return True


def requeue(tenant: str, job_id: str) -> dict[str, Any]:
    """A failed job queued again for a retry (``retryCount`` + 1, its error and failure entry cleared), as one
    conditional update: of two concurrent retries one wins; ``ConditionFailed`` unless it was failed."""
    return table().update(_pk(tenant), _sk(job_id),
                          "SET #status = :queued ADD retryCount :one REMOVE startedAt, completedAt, errorCode, "
                          "errorMessage, uploadedAt, " + failures.REMOVE_CLAUSE,
                          condition="#status = :failed", names=_STATUS,
                          values={":queued": QUEUED, ":failed": FAILED, ":one": 1})


def mark_uploaded(tenant: str, job_id: str, key: str) -> dict[str, Any] | None:
    """Notes that the file of a queued import waiting at ``key`` landed; the job, or None when it is not one
    (unknown, another key, started already: the first Object Created event wins)."""
    try:
        return table().update(_pk(tenant), _sk(job_id), "SET uploadedAt = :now",
                              condition="#status = :queued AND sourceKey = :key AND attribute_not_exists(uploadedAt)",
                              names=_STATUS, values={":queued": QUEUED, ":key": key, ":now": utc_now()})
    except ConditionFailed:
        return None


def get(tenant: str, job_id: str) -> dict[str, Any] | None:
    return table().get(_pk(tenant), _sk(job_id))


def listed(tenant: str) -> list[dict[str, Any]]:
    return list(table().query_all(_pk(tenant)))
