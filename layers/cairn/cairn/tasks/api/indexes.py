"""Project indexes (docs/task-engine.md, "Project indexes"): query and upsert, behind a task permit bound to the
path's project."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from cairn.http.body import JSONRoute
from cairn.http.fields import RequestModel
from cairn.tasks.api.permits import TaskPermit
from cairn.tasks.service import indexes

router = APIRouter(prefix="/v1/projects/{projectId}/indexes", route_class=JSONRoute, tags=["tasks"])


class IndexQuery(RequestModel):
    items: list[dict[str, Any]] = Field(description="Path/hash pairs: {path, hash (64 hex)}.")


class IndexUpsert(RequestModel):
    entries: dict[str, dict[str, Any]] = Field(default_factory=dict)
    deletePaths: list[str] = Field(default_factory=list)


@router.post("/query")
def query_index(projectId: str, body: IndexQuery, permit: TaskPermit) -> dict[str, Any]:  # noqa: N803
    permit.require(project_id=projectId)
    return indexes.query(permit.installation, projectId, body.items)


@router.post("/upsert")
def upsert_index(projectId: str, body: IndexUpsert, permit: TaskPermit) -> dict[str, Any]:  # noqa: N803
    permit.require(project_id=projectId)
    return indexes.upsert(permit.installation, projectId, body.entries, body.deletePaths)
