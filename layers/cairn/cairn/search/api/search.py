"""Search (memory-api.md "Search", "Cross-Project Search"): ranked milestones of one project, or across
the caller's tenant. Read-only, so no Idempotency-Key (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.fields import ProjectId, RequestModel
from cairn.http.paths import ProjectIdPath
from cairn.http.payload import fitting
from cairn.search.store import search

QUERY_MAX = 500
PROJECT_LIMIT_DEFAULT, PROJECT_LIMIT_MAX = 20, 100
TENANT_LIMIT_DEFAULT, TENANT_LIMIT_MAX = 50, 200
PROJECT_IDS_MAX = 100

project_router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)
tenant_router = APIRouter(prefix="/api/v1/memory", route_class=JSONRoute)

Query = Annotated[str, StringConstraints(min_length=1, max_length=QUERY_MAX)]


class SearchProject(RequestModel):
    query: Query
    limit: Annotated[int, Field(ge=1, le=PROJECT_LIMIT_MAX)] = PROJECT_LIMIT_DEFAULT


class SearchTenant(RequestModel):
    query: Query
    limit: Annotated[int, Field(ge=1, le=TENANT_LIMIT_MAX)] = TENANT_LIMIT_DEFAULT
    projectIds: Annotated[list[ProjectId] | None, Field(max_length=PROJECT_IDS_MAX)] = None


def _response(query: str, milestones: list[dict[str, Any]]) -> dict[str, Any]:
    milestones = fitting(milestones)
    return {"milestones": milestones, "query": query, "count": len(milestones)}


@project_router.post("/search")
def search_project(project_id: ProjectIdPath, body: SearchProject, principal: Reader) -> dict[str, Any]:
    found = search.search_project_milestones(principal.tenant, project_id, body.query, body.limit)
    return _response(body.query, found)


@tenant_router.post("/search")
def search_tenant(body: SearchTenant, principal: Reader) -> dict[str, Any]:
    found = search.search_milestones(principal.tenant, body.projectIds, body.query, body.limit)
    return _response(body.query, found)
