"""Contributors (memory-api.md "Contributors"): human identities mapped to agent IDs, and their activity
across the tenant's projects."""

from __future__ import annotations

from typing import Any

from cairn.aws.table import ConditionFailed
from cairn.core.errors import NotFound
from cairn.insights.store import contributors
from cairn.memory.service import milestones


def _not_found(contributor_id: str) -> NotFound:
    return NotFound(f"contributor '{contributor_id}' not found", field="id")


def upsert(tenant: str, contributor_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` present replace the stored ones (None clears one); omitted ones stay (on creation:
    ``agentIds`` [], ``role`` null)."""
    return contributors.upsert(tenant, contributor_id, fields)


def get(tenant: str, contributor_id: str) -> dict[str, Any]:
    found = contributors.get(tenant, contributor_id)
    if found is None:
        raise _not_found(contributor_id)
    return found


def list_all(tenant: str) -> list[dict[str, Any]]:
    return contributors.list_all(tenant)


def delete(tenant: str, contributor_id: str) -> None:
    try:
        contributors.delete(tenant, contributor_id)
    except ConditionFailed as failed:
        raise _not_found(contributor_id) from failed


def activity(tenant: str, contributor_id: str, limit: int) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The contributor, the newest ``limit`` milestones its agents stored across the tenant's live projects,
    and how many milestones they stored in all."""
    contributor = get(tenant, contributor_id)
    agent_ids = contributor["agentIds"]
    return (contributor, milestones.newest_by_agents(tenant, agent_ids, limit),
            milestones.count_by_agents(tenant, agent_ids))


def resolve(tenant: str, name_or_id: str) -> list[dict[str, Any]]:
    """Contributors whose id equals ``name_or_id``, or else whose display name equals it
    (case-insensitively): for filters that accept either (intelligence queries)."""
    by_id = contributors.get(tenant, name_or_id)
    if by_id is not None:
        return [by_id]
    wanted = name_or_id.casefold()
    return [item for item in contributors.list_all(tenant) if (item["displayName"] or "").casefold() == wanted]
