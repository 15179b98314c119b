"""/api/v1/memory/contributors: upsert, list, get, delete, and cross-project activity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from cairn.core import limits
from cairn.http.auth import Admin, Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ContributorIdPath
from cairn.http.payload import fitting
from cairn.insights.api.contributor_models import Contributor, ContributorActivity, Contributors, UpsertContributor
from cairn.insights.service import contributors

router = APIRouter(prefix="/api/v1/memory/contributors", route_class=JSONRoute)


@router.post("", response_model=Contributor, response_model_exclude_unset=True)
def upsert_contributor(body: UpsertContributor, once: Idempotent) -> Any:
    fields = body.model_dump(include=body.model_fields_set - {"contributorId"})
    if fields.get("agentIds", ()) is None:
        fields["agentIds"] = []
    return once(body, lambda: contributors.upsert(once.tenant, body.contributorId, fields))


@router.get("", response_model=Contributors, response_model_exclude_unset=True)
def list_contributors(principal: Reader) -> dict[str, Any]:
    return {"contributors": contributors.list_all(principal.tenant)}


@router.get("/{id}", response_model=Contributor, response_model_exclude_unset=True)
def get_contributor(contributor_id: ContributorIdPath, principal: Reader) -> dict[str, Any]:
    return contributors.get(principal.tenant, contributor_id)


@router.delete("/{id}")
def delete_contributor(contributor_id: ContributorIdPath, once: Idempotent, _: Admin) -> Response:
    """Answers an empty body (memory-api.md "Delete Contributor")."""
    once(None, lambda: contributors.delete(once.tenant, contributor_id))
    return Response(status_code=200)


@router.get("/{id}/activity", response_model=ContributorActivity, response_model_exclude_unset=True)
def contributor_activity(
    contributor_id: ContributorIdPath,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=limits.ACTIVITY_LIMIT_MAX)] = limits.ACTIVITY_LIMIT_DEFAULT,
) -> dict[str, Any]:
    contributor, milestones, total = contributors.activity(principal.tenant, contributor_id, limit)
    return {"contributor": contributor, "milestones": fitting(milestones), "totalMilestones": total}
