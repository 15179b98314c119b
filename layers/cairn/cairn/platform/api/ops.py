"""The ops view (docs/platform.md, "Health, engine status and the ops view"): what Cairn runs on, what waits,
runs and failed, and what wrote in the caller's tenant; the retries of a failed publish or job."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from cairn.aws.failures import KINDS
from cairn.http.auth import Principal, require_operator, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.http.error_bodies import ErrorBody
from cairn.memory.service import milestones
from cairn.platform.api.conventions import IdempotencyRequired, ListEnvelope, ListQuery, envelope, list_query
from cairn.platform.service import events, jobs, ops

router = APIRouter(prefix="/api/v1/agent-runtime", route_class=JSONRoute, tags=["ops"])
Reader = Annotated[Principal, Depends(require_platform_reader)]
Operator = Annotated[Principal, Depends(require_operator)]
FailureId = Annotated[str, Path(min_length=1, max_length=128)]

AGENT_SORT = ("lastActivityAt", "firstActivityAt", "milestoneCount", "agentId")
FAILURE_SORT = ("failedAt", "kind")
FailureKind = Literal["workflow", "delivery", "outbox", "job"]
assert set(FailureKind.__args__) == set(KINDS)  # type: ignore[attr-defined]  # the route documents every kind


class TenantHealth(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, Literal["ok", "unavailable", "not_configured"]]
    publisherLagSeconds: int | None


class SearchDocumentsQueue(BaseModel):
    pending: int


class SyncsQueue(BaseModel):
    running: int


class TaskRunsQueue(BaseModel):
    queuedOrRunning: int


class JobsQueue(BaseModel):
    queued: int
    running: int


class EventsQueue(BaseModel):
    undelivered: int


class TenantQueues(BaseModel):
    searchDocuments: SearchDocumentsQueue
    syncs: SyncsQueue
    taskRuns: TaskRunsQueue
    jobs: JobsQueue
    events: EventsQueue


class Failure(BaseModel):
    id: str
    kind: FailureKind
    failedAt: str
    failureCode: str | None
    failureMessage: str | None
    retryPath: str | None
    item: dict[str, Any]


class AgentActivity(BaseModel):
    id: str
    agentId: str
    milestoneCount: int
    firstActivityAt: str
    lastActivityAt: str
    lastProjectId: str


@router.get("/health")
def tenant_health(principal: Reader) -> TenantHealth:
    return TenantHealth.model_validate(ops.tenant_health(principal.tenant))


@router.get("/queues")
def tenant_queues(principal: Reader) -> TenantQueues:
    return TenantQueues.model_validate(ops.tenant_queues(principal.tenant))


@router.get("/failures")
def failures(
    principal: Reader,
    query: Annotated[ListQuery, Depends(list_query(FAILURE_SORT, "failedAt"))],
    kind: Annotated[FailureKind | None, Query()] = None,
) -> ListEnvelope[Failure]:
    page, total = ops.failures_page(principal.tenant, query, kind)
    return envelope([Failure.model_validate(item) for item in page], total, query, {"kind": kind})


@router.get("/agents")
def agents(
    principal: Reader,
    query: Annotated[ListQuery, Depends(list_query(AGENT_SORT, "lastActivityAt"))],
) -> ListEnvelope[AgentActivity]:
    page, total = milestones.agents_page(principal.tenant, query)
    return envelope([AgentActivity.model_validate(item) for item in page], total, query, {})


@router.post("/outbox-failures/{id}/retry", responses={
    409: {"model": ErrorBody, "description": "conflict: the event's publish has not failed (pending or published)"},
    502: {"model": ErrorBody, "description": "upstream_error: the bus refused it again (it stays failed)"},
})
def retry_outbox_failure(principal: Operator, id: FailureId, once: IdempotencyRequired) -> Any:
    """Publishes a failed event again: the event as ``GET /api/v1/events/outbox`` lists it, ``published`` and
    out of the failures."""
    return once(None, lambda: events.retry_event(principal.tenant, id))


@router.post("/job-failures/{id}/retry", responses={
    409: {"model": ErrorBody, "description": "conflict: the job is not failed (queued, running or succeeded)"},
})
def retry_job_failure(principal: Operator, id: FailureId, once: IdempotencyRequired) -> Any:
    """Runs a failed export or import again as a new execution (``retryCount`` + 1): the job as
    ``GET /api/v1/jobs/{id}`` answers it, queued again and out of the failures."""
    return once(None, lambda: jobs.retry_job(principal.tenant, id))
