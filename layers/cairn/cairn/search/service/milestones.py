"""Milestone search, the use cases of the search routes (memory-api.md "Search", "Cross-Project Search"):
ranked milestones of one project or across the tenant, as the wire shows them."""

from __future__ import annotations

from typing import Any

from cairn.aws.documents import MILESTONE
from cairn.core.observability import count
from cairn.memory.service import milestones
from cairn.search.service import query

_MILESTONES = frozenset({MILESTONE})


def in_project(tenant: str, project_id: str, text: str, limit: int) -> list[dict[str, Any]]:
    """Milestones of one project; ``NotFound`` unless the project is live in the tenant."""
    count("Searches", 1)
    hits = query.search_project(tenant, project_id, text, limit, kinds=_MILESTONES)
    return [milestones.to_wire(hit.item) for hit in hits]


def across_projects(tenant: str, project_ids: list[str] | None, text: str, limit: int) -> list[dict[str, Any]]:
    """Milestones of the given projects (every project of the tenant when None; unknown ones add nothing)."""
    count("Searches", 1)
    hits = query.search(tenant, project_ids, text, limit, kinds=_MILESTONES)
    return [milestones.to_wire(hit.item) for hit in hits]
