"""Agent activity items: per (tenant, agent), the milestones it stored and when it last stored one."""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.memory.store.entities import AGENT_ACTIVITY
from cairn.memory.store.keys import agents_pk


def activity_operation(ref: ProjectRef, milestone: dict[str, Any]) -> dict[str, Any]:
    """Counts ``milestone`` for its agent, in the transaction that stores it (so the count never drifts)."""
    return table().update_op(
        agents_pk(ref.tenant), milestone["agentId"],
        "SET #entity = :entity, #agent = :agent, #last = :now, #project = :project, "
        "#first = if_not_exists(#first, :now) ADD #count :one",
        names={"#entity": "entity", "#agent": "agentId", "#last": "lastActivityAt", "#project": "lastProjectId",
               "#first": "firstActivityAt", "#count": "milestoneCount"},
        values={":entity": AGENT_ACTIVITY.name, ":agent": milestone["agentId"], ":now": milestone["createdAt"],
                ":project": ref.project_id, ":one": 1},
    )


def listed(tenant: str) -> list[dict[str, Any]]:
    """Every agent of the tenant (wire shape): one partition, as many items as agents."""
    return [AGENT_ACTIVITY.to_wire(item) for item in table().query_all(agents_pk(tenant))]
