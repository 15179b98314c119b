"""Agent activity items: per (tenant, agent), the milestones it stored and when it last stored one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cairn.aws import listing
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.memory.store.entities import AGENT_ACTIVITY
from cairn.memory.store.keys import agents_by_activity_pk, agents_pk


def activity_operation(ref: ProjectRef, milestone: dict[str, Any]) -> dict[str, Any]:
    """Counts ``milestone`` for its agent, in the transaction that stores it (so the count never drifts), and
    moves the agent to its new place in the by-activity index (GSI1)."""
    agent_id, moment = milestone["agentId"], milestone["createdAt"]
    return table().update_op(
        agents_pk(ref.tenant), agent_id,
        "SET #entity = :entity, #agent = :agent, #last = :now, #project = :project, "
        "#first = if_not_exists(#first, :now), GSI1PK = :ipk, GSI1SK = :isk ADD #count :one",
        names={"#entity": "entity", "#agent": "agentId", "#last": "lastActivityAt", "#project": "lastProjectId",
               "#first": "firstActivityAt", "#count": "milestoneCount"},
        values={":entity": AGENT_ACTIVITY.name, ":agent": agent_id, ":now": moment, ":project": ref.project_id,
                ":one": 1, ":ipk": agents_by_activity_pk(ref.tenant), ":isk": f"{moment}#{agent_id}"},
    )


def page(tenant: str, query: listing.ListQuery) -> tuple[list[Mapping[str, Any]], int]:
    """A page of the tenant's agents (wire shape, ``id`` = ``agentId``), from the by-activity index: latest
    activity first reads the page alone (``cairn.aws.listing``)."""
    partition = listing.Partition(agents_by_activity_pk(tenant), "GSI1", "lastActivityAt")
    return listing.page(partition, query, _to_wire)


def _to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["agentId"], **AGENT_ACTIVITY.to_wire(item)}
