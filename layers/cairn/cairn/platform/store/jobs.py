"""Export and import jobs (docs/platform.md, "Jobs"): one item each in the tenant's jobs partition, moved
queued -> running -> succeeded | failed by conditional updates, so a step that runs twice (a retried Lambda
task) cannot move a settled job back."""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table
from cairn.core.clock import utc_now

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
_WIRE = ("jobId", "kind", "status", "projectIds", "queuedAt", "startedAt", "completedAt", "retryCount",
         "errorCode", "errorMessage")
JOB = declare(Entity("job", pk="T#{t}#JOBS", sk="JOB#{jobId}", wire=_WIRE, always=_WIRE))
_NOT_SETTLED = "#status IN (:queued, :running)"
_STATUS = {"#status": "status"}
_OPEN = {":queued": QUEUED, ":running": RUNNING}


def _pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#JOBS"


def _sk(job_id: str) -> str:
    return f"JOB#{job_id}"


def create(tenant: str, job_id: str, kind: str, project_ids: list[str]) -> dict[str, Any]:
    item = {"PK": _pk(tenant), "SK": _sk(job_id), "entity": JOB.name, "jobId": job_id, "kind": kind,
            "status": QUEUED, "projectIds": project_ids, "queuedAt": utc_now(), "retryCount": 0}
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


def succeed(tenant: str, job_id: str, artifact_key: str | None) -> None:
    update = "SET #status = :succeeded, completedAt = :now" + (", artifactKey = :key" if artifact_key else "")
    values: dict[str, Any] = {**_OPEN, ":succeeded": SUCCEEDED, ":now": utc_now()}
    if artifact_key:
        values[":key"] = artifact_key
    table().update(_pk(tenant), _sk(job_id), update, condition=_NOT_SETTLED, names=_STATUS, values=values)


def fail(tenant: str, job_id: str, code: str, message: str) -> None:
    table().update(_pk(tenant), _sk(job_id),
                   "SET #status = :failed, completedAt = :now, errorCode = :code, errorMessage = :message",
                   condition=_NOT_SETTLED, names=_STATUS,
                   values={**_OPEN, ":failed": FAILED, ":now": utc_now(), ":code": code, ":message": message})


def get(tenant: str, job_id: str) -> dict[str, Any] | None:
    return table().get(_pk(tenant), _sk(job_id))


def listed(tenant: str) -> list[dict[str, Any]]:
    return list(table().query_all(_pk(tenant)))
