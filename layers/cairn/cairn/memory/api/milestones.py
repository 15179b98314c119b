"""Store (COMMIT) and merge."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.memory.api.models import MergeBranch, StoreMilestone
from cairn.memory.api.responses import Merge, Milestone
from cairn.memory.service import milestones

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)
DEDUPLICATED_HEADER = "x-cairn-deduplicated"


@router.post("/store", response_model=Milestone, response_model_exclude_unset=True)
def store_milestone(project_id: ProjectIdPath, body: StoreMilestone, once: Idempotent,
                    response: Response) -> Any:
    def store() -> dict[str, Any]:
        fields = body.model_dump(exclude={"branchName"})
        milestone, deduplicated = milestones.store(once.tenant, project_id, body.branchName, fields)
        response.headers[DEDUPLICATED_HEADER] = str(deduplicated).lower()
        return milestone

    return once(body, store)


@router.post("/merge", response_model=Merge, response_model_exclude_unset=True)
def merge_branch(project_id: ProjectIdPath, body: MergeBranch, once: Idempotent) -> Any:
    return once(body, lambda: milestones.merge(once.tenant, project_id, body.sourceBranch, body.targetBranch,
                                               body.mergeSummary, body.agentId))
