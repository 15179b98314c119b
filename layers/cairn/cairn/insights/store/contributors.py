"""Contributors: human identities mapped to agent IDs, one tenant-level partition.

``PK = T#{tenant}#CONTRIB``, ``SK = {contributorId}`` (escaped): list is one Query, get one
GetItem, upsert one UpdateItem. Activity reads the milestones' agent index (GSI2) through
``cairn.memory.service.milestones``.
"""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import update_expression
from cairn.aws.keys import escape
from cairn.aws.table import table
from cairn.core.clock import utc_now
from cairn.insights.store.entities import CONTRIBUTOR


def contributors_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#CONTRIB"


def contributor_sk(contributor_id: str) -> str:
    return escape(contributor_id)


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {**CONTRIBUTOR.to_wire(item), "agentIds": list(item.get("agentIds") or [])}


def upsert(tenant: str, contributor_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates the contributor or updates it in one UpdateItem: ``fields`` (any of displayName,
    agentIds, role) replace the stored values (None removes one), the others stay; ``createdAt`` is kept
    from creation, and a new contributor has no agent IDs unless given."""
    now = utc_now()
    given = sorted(fields.items())
    assignments = {"tenantId": tenant, "contributorId": contributor_id, "entity": CONTRIBUTOR.name,
                   "updatedAt": now, **{name: value for name, value in given if value is not None}}
    initial: dict[str, Any] = {"createdAt": now}
    if "agentIds" not in fields:
        initial["agentIds"] = []
    update, names, values = update_expression(
        assignments, initial=initial, remove=tuple(name for name, value in given if value is None))
    item = table().update(contributors_pk(tenant), contributor_sk(contributor_id), update, names=names,
                          values=values)
    return to_wire(item)


def get(tenant: str, contributor_id: str) -> dict[str, Any] | None:
    item = table().get(contributors_pk(tenant), contributor_sk(contributor_id))
    return to_wire(item) if item is not None else None


def list_all(tenant: str) -> list[dict[str, Any]]:
    """Every contributor of the tenant, by id (one Query per 1 MB)."""
    return [to_wire(item) for item in table().query_all(contributors_pk(tenant))]


def delete(tenant: str, contributor_id: str) -> None:
    """``ConditionFailed`` when there is no such contributor."""
    table().delete(contributors_pk(tenant), contributor_sk(contributor_id), condition="attribute_exists(PK)")
