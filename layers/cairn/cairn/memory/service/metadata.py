"""Metadata segments: replace one, read one."""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.memory.store import metadata


def put(tenant: str, project_id: str, segment: str, content: dict[str, Any]) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _put_at(ref, segment, content))


def _put_at(ref: ProjectRef, segment: str, content: dict[str, Any]) -> dict[str, Any]:
    item = metadata.new_item(ref, segment, content)
    partition.transact(ref, [
        partition.touch_operation(ref, "SET updatedAt = :now", {":now": item["updatedAt"]}),
        table().put_op(item),
    ])
    return metadata.to_wire(item)


def get(tenant: str, project_id: str, segment: str) -> dict[str, Any]:
    """The segment (wire shape), read with the project in one BatchGetItem."""
    return partition.resolved(tenant, project_id, lambda ref: metadata.get_at(ref, segment))[1]
