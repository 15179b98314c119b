"""Metadata segments: named JSON documents of a project (GCC's metadata.yaml, split by segment)."""

from __future__ import annotations

import json
from typing import Any

from cairn.aws import partition
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import table
from cairn.core.clock import utc_now
from cairn.core.errors import NotFound
from cairn.memory.store.keys import metadata_sk


def _to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"segment": item["segment"], "content": json.loads(item["document"]), "updatedAt": item["updatedAt"]}


def put(tenant: str, project_id: str, segment: str, content: dict[str, Any]) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _put_at(ref, segment, content))


def _put_at(ref: ProjectRef, segment: str, content: dict[str, Any]) -> dict[str, Any]:
    # Stored as JSON text: DynamoDB's number and empty-value rules would otherwise alter the document.
    item = {
        "PK": ref.pk,
        "SK": metadata_sk(segment),
        "entity": "metadata",
        "segment": segment,
        "document": json.dumps(content, ensure_ascii=False, separators=(",", ":")),
        "updatedAt": utc_now(),
    }
    partition.transact(ref, [
        partition.touch_operation(ref, "SET updatedAt = :now", {":now": item["updatedAt"]}),
        table().put_op(item),
    ])
    return _to_wire(item)


def get(tenant: str, project_id: str, segment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project and the segment, in one BatchGetItem."""
    return partition.resolved(tenant, project_id, lambda ref: _get_at(ref, segment))


def _get_at(ref: ProjectRef, segment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pk = ref.pk
    found = table().get_many([(pk, PROJECT_SK), (pk, metadata_sk(segment))])
    project = partition.require_live(found.get((pk, PROJECT_SK)), ref)
    item = found.get((pk, metadata_sk(segment)))
    if item is None:
        raise NotFound(f"metadata segment '{segment}' not found", field="segment")
    return project, _to_wire(item)
