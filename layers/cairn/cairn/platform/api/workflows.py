"""GET /api/v1/workflow-executions (list conventions; filters kind, status, resource), GET .../{id}, and an
operator's POST .../{id}/retry and POST .../{id}/cancel (Idempotency-Key required)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from cairn.aws.workflows import KINDS
from cairn.http.auth import Principal, require_operator, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.http.error_bodies import ErrorBody
from cairn.platform.api.conventions import IdempotencyRequired, ListEnvelope, ListQuery, envelope, list_query
from cairn.platform.service import lists, workflows

router = APIRouter(route_class=JSONRoute)
BASE = "/api/v1/workflow-executions"
SORT_FIELDS = ("startedAt", "completedAt", "durationMs", "status", "kind")
ExecutionsQuery = Annotated[ListQuery, Depends(list_query(SORT_FIELDS, default_sort="startedAt"))]
Kind = Literal["source_sync", "task_run", "project_purge", "export", "import"]
Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
assert set(Kind.__args__) == KINDS  # type: ignore[attr-defined]  # the route documents every recorded kind


@router.get(BASE)
def list_workflow_executions(
    principal: Annotated[Principal, Depends(require_platform_reader)],
    query: ExecutionsQuery,
    kind: Annotated[Kind | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
    resource: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> ListEnvelope[dict[str, Any]]:
    page, total = lists.executions(principal.tenant, query, kind, status, resource)
    return envelope([dict(item) for item in page], total, query,
                    {"kind": kind, "status": status, "resource": resource})


@router.get(BASE + "/{id}")
def get_workflow_execution(
    principal: Annotated[Principal, Depends(require_platform_reader)],
    id: Annotated[str, Path(min_length=1, max_length=128)],
) -> dict[str, Any]:
    return workflows.get_execution(principal.tenant, id)


Operator = Annotated[Principal, Depends(require_operator)]
ExecutionId = Annotated[str, Path(min_length=1, max_length=128)]


@router.post(BASE + "/{id}/retry", responses={
    402: {"model": ErrorBody, "description": "insufficient_credits: a task run's retry costs what its failure "
                                             "refunded, and the installation has fewer credits"},
    409: {"model": ErrorBody, "description": "conflict: the execution is not failed or cancelled, was retried "
                                             "already, or its resource cannot start again now"},
})
def retry_workflow_execution(principal: Operator, id: ExecutionId, once: IdempotencyRequired) -> Any:
    """A new execution with the same input, ``retryCount`` + 1, ``retryOf`` this one's id: the new record."""
    return once(None, lambda: workflows.retry(principal.tenant, id))


@router.post(BASE + "/{id}/cancel", responses={
    409: {"model": ErrorBody, "description": "conflict: the execution is not queued or running"},
})
def cancel_workflow_execution(principal: Operator, id: ExecutionId, once: IdempotencyRequired) -> Any:
    """StopExecution; the record settles ``cancelled``, then its resource (a task run is refunded)."""
    return once(None, lambda: workflows.cancel(principal.tenant, id, principal.subject))
