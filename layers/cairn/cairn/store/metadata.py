"""Metadata segments: named JSON documents of a project (GCC's metadata.yaml, split by segment)."""

from __future__ import annotations

import json
from typing import Any

from cairn.domain.clock import utc_now
from cairn.domain.errors import NotFound
from cairn.store import projects
from cairn.store.keys import PROJECT_SK, metadata_sk, project_pk
from cairn.store.table import table


def _to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"segment": item["segment"], "content": json.loads(item["document"]), "updatedAt": item["updatedAt"]}


def put(tenant: str, project_id: str, segment: str, content: dict[str, Any]) -> dict[str, Any]:
    # Stored as JSON text: DynamoDB's number and empty-value rules would otherwise alter the document.
    item = {
        "PK": project_pk(tenant, project_id),
        "SK": metadata_sk(segment),
        "entity": "metadata",
        "segment": segment,
        "document": json.dumps(content, ensure_ascii=False, separators=(",", ":")),
        "updatedAt": utc_now(),
    }
    projects.transact(project_id, [
        projects.touch_operation(tenant, project_id, "SET updatedAt = :now", {":now": item["updatedAt"]}),
        table().put_op(item),
    ])
    return _to_wire(item)


def get(tenant: str, project_id: str, segment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project and the segment, in one BatchGetItem."""
    pk = project_pk(tenant, project_id)
    found = table().get_many([(pk, PROJECT_SK), (pk, metadata_sk(segment))])
    project = projects.require_live(found.get((pk, PROJECT_SK)), project_id)
    item = found.get((pk, metadata_sk(segment)))
    if item is None:
        raise NotFound(f"metadata segment '{segment}' not found", field="segment")
    return project, _to_wire(item)
