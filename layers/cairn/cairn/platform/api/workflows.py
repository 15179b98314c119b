"""GET /api/v1/workflow-executions (list conventions; filters kind, status, resource) and GET .../{id}."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from cairn.aws.workflows import KINDS
from cairn.http.auth import Principal, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.platform.api.conventions import ListEnvelope, ListQuery, envelope, list_query
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
