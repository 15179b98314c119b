"""Search (memory-api.md "Search", "Cross-Project Search"): ranked milestones of one project, or across
the caller's tenant. Read-only, so no Idempotency-Key (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from cairn.core import limits
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.fields import ProjectId, RequestModel
from cairn.http.paths import ProjectIdPath
from cairn.http.payload import fitting
from cairn.memory.service.models import Milestone
from cairn.search.service import milestones

project_router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)
tenant_router = APIRouter(prefix="/api/v1/memory", route_class=JSONRoute)

SearchText = Annotated[str, StringConstraints(min_length=1, max_length=limits.SEARCH_QUERY_MAX)]


class SearchProject(RequestModel):
    query: SearchText
    limit: Annotated[int, Field(ge=1, le=limits.PROJECT_SEARCH_LIMIT_MAX)] = limits.PROJECT_SEARCH_LIMIT_DEFAULT


class SearchTenant(RequestModel):
    query: SearchText
    limit: Annotated[int, Field(ge=1, le=limits.TENANT_SEARCH_LIMIT_MAX)] = limits.TENANT_SEARCH_LIMIT_DEFAULT
    projectIds: Annotated[list[ProjectId] | None, Field(max_length=limits.SEARCH_PROJECT_IDS_MAX)] = None


class SearchResults(BaseModel):
    """Both searches' response: the milestones that fit in one response, best first."""

    milestones: list[Milestone]
    query: str
    count: int


def _response(query: str, found: list[dict[str, Any]]) -> dict[str, Any]:
    fitted = fitting(found)
    return {"milestones": fitted, "query": query, "count": len(fitted)}


@project_router.post("/search", response_model=SearchResults, response_model_exclude_unset=True)
def search_project(project_id: ProjectIdPath, body: SearchProject, principal: Reader) -> dict[str, Any]:
    return _response(body.query, milestones.in_project(principal.tenant, project_id, body.query, body.limit))


@tenant_router.post("/search", response_model=SearchResults, response_model_exclude_unset=True)
def search_tenant(body: SearchTenant, principal: Reader) -> dict[str, Any]:
    return _response(body.query, milestones.across_projects(principal.tenant, body.projectIds, body.query, body.limit))
