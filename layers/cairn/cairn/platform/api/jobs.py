"""GET /api/v1/jobs (list conventions; filters kind, status) and GET /api/v1/jobs/{id}: export and import jobs
of the caller's tenant (docs/platform.md, "Jobs")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from cairn.http.auth import Principal, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.platform.api.conventions import ListEnvelope, ListQuery, envelope, list_query
from cairn.platform.service import jobs, lists

router = APIRouter(route_class=JSONRoute)
BASE = "/api/v1/jobs"
SORT_FIELDS = ("queuedAt", "startedAt", "completedAt", "status", "kind")
JobsQuery = Annotated[ListQuery, Depends(list_query(SORT_FIELDS, default_sort="queuedAt"))]
Kind = Literal["export", "import"]
Status = Literal["queued", "running", "succeeded", "failed"]


@router.get(BASE)
def list_jobs(
    principal: Annotated[Principal, Depends(require_platform_reader)],
    query: JobsQuery,
    kind: Annotated[Kind | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
) -> ListEnvelope[dict[str, Any]]:
    page, total = lists.jobs(principal.tenant, query, kind, status)
    return envelope([dict(item) for item in page], total, query, {"kind": kind, "status": status})


@router.get(BASE + "/{id}")
def get_job(
    principal: Annotated[Principal, Depends(require_platform_reader)],
    id: Annotated[str, Path(min_length=1, max_length=128)],
) -> dict[str, Any]:
    return jobs.get(principal.tenant, id)
