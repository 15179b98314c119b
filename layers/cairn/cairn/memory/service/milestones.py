"""Milestones (GCC COMMIT): store, read, merge; and the tenant's milestones by agent for insights."""

from __future__ import annotations

from typing import Any

from cairn.memory.store import activity, milestones


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    """A milestone item another context read (a search hit) as the wire shows it."""
    return milestones.to_wire(item)


def newest_by_agents(tenant: str, agent_ids: list[str], limit: int) -> list[dict[str, Any]]:
    """The tenant's newest milestones stored by any of ``agent_ids``, across its live projects."""
    return activity.newest(tenant, agent_ids, limit)


def count_by_agents(tenant: str, agent_ids: list[str]) -> int:
    return activity.count(tenant, agent_ids)
