"""/api/v1/memory/contributors: upsert, list, get, delete, and cross-project activity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from cairn.http.auth import Admin, Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ContributorIdPath
from cairn.http.payload import fitting
from cairn.insights.api.models import UpsertContributor
from cairn.insights.store import contributors
from cairn.memory.service import milestones

router = APIRouter(prefix="/api/v1/memory/contributors", route_class=JSONRoute)
ACTIVITY_DEFAULT_LIMIT = 50
ACTIVITY_LIMIT_MAX = 200


@router.post("")
def upsert_contributor(body: UpsertContributor, once: Idempotent) -> dict[str, Any]:
    fields = body.model_dump(include=body.model_fields_set - {"contributorId"})
    if fields.get("agentIds", ()) is None:
        fields["agentIds"] = []
    return once(body, lambda: contributors.upsert(once.tenant, body.contributorId, fields))


@router.get("")
def list_contributors(principal: Reader) -> dict[str, Any]:
    return {"contributors": contributors.list_all(principal.tenant)}


@router.get("/{id}")
def get_contributor(contributor_id: ContributorIdPath, principal: Reader) -> dict[str, Any]:
    return contributors.get(principal.tenant, contributor_id)


@router.delete("/{id}")
def delete_contributor(contributor_id: ContributorIdPath, once: Idempotent, _: Admin) -> Response:
    once(None, lambda: contributors.delete(once.tenant, contributor_id))
    return Response(status_code=200)


@router.get("/{id}/activity")
def contributor_activity(
    contributor_id: ContributorIdPath,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=ACTIVITY_LIMIT_MAX)] = ACTIVITY_DEFAULT_LIMIT,
) -> dict[str, Any]:
    contributor = contributors.get(principal.tenant, contributor_id)
    agent_ids = contributor["agentIds"]
    return {
        "contributor": contributor,
        "milestones": fitting(milestones.newest_by_agents(principal.tenant, agent_ids, limit)),
        "totalMilestones": milestones.count_by_agents(principal.tenant, agent_ids),
    }
