"""Recall (GCC CONTEXT): one route, five views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from cairn.core.errors import InvalidInput
from cairn.core.limits import PAGE_LIMIT_MAX
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.fields import BranchName, SegmentName
from cairn.http.paths import ProjectIdPath
from cairn.http.payload import fitting
from cairn.memory.domain.branches import DEFAULT_BRANCH
from cairn.memory.domain.recall import DEFAULT_LIMITS, View, page, shape
from cairn.memory.store import branches, logs, metadata, milestones, projects

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)


def _required(value: str | None, name: str, view: str) -> str:
    if not value:
        raise InvalidInput(f"{name} is required for the {view} view", field=name)
    return value


@router.get("/recall")
def recall(
    project_id: ProjectIdPath,
    principal: Reader,
    view: View = "overview",
    branch: Annotated[BranchName, Query()] = DEFAULT_BRANCH,
    milestoneId: Annotated[str | None, Query(max_length=64)] = None,  # noqa: N803 - the spec's name
    segment: Annotated[SegmentName | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1, le=PAGE_LIMIT_MAX)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    tenant = principal.tenant
    if view == "overview":
        project, all_branches = projects.overview(tenant, project_id)
        return shape(view, project=projects.to_wire(project), branches=all_branches)
    if view == "milestone":
        milestone = milestones.get(tenant, project_id, _required(milestoneId, "milestoneId", view))
        return shape(view, milestones=[milestone])
    if view == "metadata":
        _, segment_body = metadata.get(tenant, project_id, _required(segment, "segment", view))
        return shape(view, metadata=segment_body)
    size = limit or DEFAULT_LIMITS[view]
    if view == "branch":
        head, entries = milestones.page(tenant, project_id, branch, limit=size, offset=offset)
        entries = fitting(entries)
        return shape(view, branches=[branches.to_wire(head)], milestones=entries,
                     page=page(size, offset, len(entries), head["msSeq"]))
    head, entries = logs.page(tenant, project_id, branch, limit=size, offset=offset)
    entries = fitting(entries)
    return shape(view, logEntries=entries, page=page(size, offset, len(entries), head["logSeq"]))
