"""The contributors routes' request and response bodies (memory-api.md "Upsert Contributor", "Get Contributor
Activity"), apart from the other insights models: the contributors function builds only these (each model
costs its cold start a build), and the memory insights function none of them."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from cairn.core import limits
from cairn.http.fields import AgentId, ProjectId, RequestModel, text_field
from cairn.memory.service.models import Milestone

CONTRIBUTOR_ID_MAX = limits.PROJECT_ID_MAX
DISPLAY_NAME_MAX = 256
ROLE_MAX = 128
AGENT_IDS_MAX = 50


def _distinct(agent_ids: list[str]) -> list[str]:
    return list(dict.fromkeys(agent_ids))


ContributorId = ProjectId  # the same identifier rules: it travels in URL paths


class UpsertContributor(RequestModel):
    """Fields present in the body (even as null) replace the stored ones; omitted optional fields
    keep their stored values (on creation: ``agentIds`` [], ``role`` null)."""

    contributorId: ContributorId
    displayName: Annotated[str, text_field(DISPLAY_NAME_MAX, 1)]
    agentIds: Annotated[list[AgentId], Field(max_length=AGENT_IDS_MAX), AfterValidator(_distinct)] | None = None
    role: Annotated[str, text_field(ROLE_MAX)] | None = None


class Contributor(BaseModel):
    """memory-api.md "Upsert Contributor" (``role`` is null when not set)."""

    contributorId: str
    tenantId: str
    displayName: str
    agentIds: list[str]
    role: str | None
    createdAt: str
    updatedAt: str


class Contributors(BaseModel):
    contributors: list[Contributor]


class ContributorActivity(BaseModel):
    """memory-api.md "Get Contributor Activity": the newest milestones that fit in one response."""

    contributor: Contributor
    milestones: list[Milestone]
    totalMilestones: int
