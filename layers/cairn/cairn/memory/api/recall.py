"""Recall (GCC CONTEXT): one route, five views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from cairn.core.limits import PAGE_LIMIT_MAX
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.fields import BranchName, SegmentName
from cairn.http.paths import ProjectIdPath
from cairn.http.payload import fitting
from cairn.memory.api.responses import Recall
from cairn.memory.domain.recall import View
from cairn.memory.service import recall as views
from cairn.memory.service.branches import DEFAULT_BRANCH

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)


@router.get("/recall", response_model=Recall, response_model_exclude_unset=True)
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
    # A page of large milestones ends early rather than outgrow Lambda's response limit.
    return views.recall(principal.tenant, project_id, view, branch=branch, milestone_id=milestoneId,
                        segment=segment, limit=limit, offset=offset, fit=fitting)
