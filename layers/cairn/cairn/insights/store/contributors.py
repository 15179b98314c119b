"""Contributors: human identities mapped to agent IDs, one tenant-level partition.

``PK = T#{tenant}#CONTRIB``, ``SK = {contributorId}`` (escaped): list is one Query, get one
GetItem, upsert one UpdateItem. Activity reads the milestones' agent index (GSI2), see
``cairn.insights.store.activity``.
"""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table
from cairn.core.clock import utc_now
from cairn.core.errors import NotFound

_WIRE_FIELDS = ("contributorId", "tenantId", "displayName", "agentIds", "role", "createdAt", "updatedAt")


def contributors_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#CONTRIB"


def contributor_sk(contributor_id: str) -> str:
    return escape(contributor_id)


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **{field: item.get(field) for field in _WIRE_FIELDS},
        "agentIds": list(item.get("agentIds") or []),
    }


def not_found(contributor_id: str) -> NotFound:
    return NotFound(f"contributor '{contributor_id}' not found", field="id")


def upsert(tenant: str, contributor_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates the contributor or updates it in one UpdateItem: ``fields`` (any of displayName,
    agentIds, role) replace the stored values, the others stay; ``createdAt`` is kept from creation."""
    now = utc_now()
    assignments = ["tenantId = :tenant", "contributorId = :id", "entity = :entity", "updatedAt = :now",
                   "createdAt = if_not_exists(createdAt, :now)"]
    values: dict[str, Any] = {":tenant": tenant, ":id": contributor_id, ":entity": "contributor", ":now": now}
    names: dict[str, str] = {}
    removals = []
    for index, (name, value) in enumerate(sorted(fields.items())):
        names[f"#f{index}"] = name
        if value is None:  # a cleared field is absent from the item
            removals.append(f"#f{index}")
        else:
            values[f":v{index}"] = value
            assignments.append(f"#f{index} = :v{index}")
    if "agentIds" not in fields:
        assignments.append("agentIds = if_not_exists(agentIds, :none)")
        values[":none"] = []
    update = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
    item = table().update(contributors_pk(tenant), contributor_sk(contributor_id), update,
                          names=names or None, values=values)
    return to_wire(item)


def get(tenant: str, contributor_id: str) -> dict[str, Any]:
    item = table().get(contributors_pk(tenant), contributor_sk(contributor_id))
    if item is None:
        raise not_found(contributor_id)
    return to_wire(item)


def list_all(tenant: str) -> list[dict[str, Any]]:
    """Every contributor of the tenant, by id (one Query per 1 MB)."""
    return [to_wire(item) for item in table().query_all(contributors_pk(tenant))]


def delete(tenant: str, contributor_id: str) -> None:
    try:
        table().delete(contributors_pk(tenant), contributor_sk(contributor_id), condition="attribute_exists(PK)")
    except ConditionFailed as failed:
        raise not_found(contributor_id) from failed


def resolve(tenant: str, name_or_id: str) -> list[dict[str, Any]]:
    """Contributors whose id equals ``name_or_id``, or else whose display name equals it
    (case-insensitively): for filters that accept either (intelligence queries)."""
    by_id = table().get(contributors_pk(tenant), contributor_sk(name_or_id))
    if by_id is not None:
        return [to_wire(by_id)]
    wanted = name_or_id.casefold()
    return [item for item in list_all(tenant) if (item["displayName"] or "").casefold() == wanted]
