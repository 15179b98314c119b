"""Metadata segments: named JSON documents of a project (GCC's metadata.yaml, split by segment)."""

from __future__ import annotations

import json
from typing import Any

from cairn.aws import partition
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import table
from cairn.core.clock import utc_now
from cairn.core.errors import NotFound
from cairn.memory.store.entities import METADATA
from cairn.memory.store.keys import metadata_sk


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return METADATA.to_wire({**item, "content": json.loads(item["document"])})


def new_item(ref: ProjectRef, segment: str, content: dict[str, Any]) -> dict[str, Any]:
    # Stored as JSON text: DynamoDB's number and empty-value rules would otherwise alter the document.
    return {
        "PK": ref.pk,
        "SK": metadata_sk(segment),
        "entity": METADATA.name,
        "segment": segment,
        "document": json.dumps(content, ensure_ascii=False, separators=(",", ":")),
        "updatedAt": utc_now(),
    }


def get_at(ref: ProjectRef, segment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project and the segment (wire shape), in one BatchGetItem."""
    pk = ref.pk
    found = table().get_many([(pk, PROJECT_SK), (pk, metadata_sk(segment))])
    project = partition.require_live(found.get((pk, PROJECT_SK)), ref)
    item = found.get((pk, metadata_sk(segment)))
    if item is None:
        raise NotFound(f"metadata segment '{segment}' not found", field="segment")
    return project, to_wire(item)
