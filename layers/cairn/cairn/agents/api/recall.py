"""Recall (GCC CONTEXT): one route, five views of memory and the brief (docs/agents.md, "The brief").

Memory cannot import search, which the brief needs, so this context serves the route: the memory views go to
``cairn.memory.service.recall`` unchanged, the brief to ``cairn.agents.service.brief``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from cairn.agents.domain.brief import TOKENS_DEFAULT, TOKENS_MAX, TOKENS_MIN
from cairn.agents.service import brief
from cairn.core.limits import PAGE_LIMIT_MAX, SEARCH_QUERY_MAX
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.fields import BranchName, SegmentName
from cairn.http.paths import ProjectIdPath
from cairn.http.payload import fitting
from cairn.memory.service import recall as views
from cairn.memory.service.branches import DEFAULT_BRANCH
from cairn.memory.service.recall_models import Recall as MemoryRecall

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)

View = Literal["overview", "branch", "milestone", "log", "metadata", "brief"]


class Recall(MemoryRecall):
    """Every view's body: ``view`` and the fields that are not empty for it (overview: ``project`` and
    ``branches``; branch: ``branches`` (the one), ``milestones``, ``page``; milestone: ``milestones`` (the
    one); log: ``logEntries``, ``page``; metadata: ``metadata``; brief: ``brief``, ``tokens``,
    ``milestonesRecalled``, ``milestoneIds``)."""

    view: View  # type: ignore[assignment]  # memory's views and the brief
    brief: str | None = None
    tokens: int | None = None
    milestonesRecalled: int | None = None
    milestoneIds: list[str] | None = None


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
    tokens: Annotated[int, Query(ge=TOKENS_MIN, le=TOKENS_MAX)] = TOKENS_DEFAULT,
    query: Annotated[str | None, Query(min_length=1, max_length=SEARCH_QUERY_MAX)] = None,
) -> dict[str, Any]:
    if view == "brief":
        return brief.brief(principal.tenant, project_id, branch, tokens=tokens, query=query)
    # A page of large milestones ends early rather than outgrow Lambda's response limit.
    return views.recall(principal.tenant, project_id, view, branch=branch, milestone_id=milestoneId,
                        segment=segment, limit=limit, offset=offset, fit=fitting)
