"""The ops view (docs/platform.md, "Ops view"): what runs and what wrote in the caller's tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from cairn.http.auth import Principal, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.memory.service import milestones
from cairn.platform.api.conventions import ListEnvelope, ListQuery, envelope, list_query

router = APIRouter(prefix="/api/v1/agent-runtime", route_class=JSONRoute, tags=["ops"])

AGENT_SORT = ("lastActivityAt", "firstActivityAt", "milestoneCount", "agentId")


class AgentActivity(BaseModel):
    id: str
    agentId: str
    milestoneCount: int
    firstActivityAt: str
    lastActivityAt: str
    lastProjectId: str


@router.get("/agents")
def agents(
    principal: Annotated[Principal, Depends(require_platform_reader)],
    query: Annotated[ListQuery, Depends(list_query(AGENT_SORT, "lastActivityAt"))],
) -> ListEnvelope[AgentActivity]:
    items = [{"id": agent["agentId"], **agent} for agent in milestones.agents_of(principal.tenant)]
    page, total = query.page_of(items)
    return envelope([AgentActivity.model_validate(item) for item in page], total, query, {})
