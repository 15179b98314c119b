"""Promoted knowledge (docs/metrics.md, "Promote"): promote a cache entry, read it back."""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.aws.table import TransactionCancelled
from cairn.core.errors import Conflict
from cairn.core.observability import count
from cairn.insights.store import knowledge


def promote(tenant: str, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates or updates the knowledge of ``fields["cacheKey"]`` in one transaction that also proves
    the project live (and sets its ``updatedAt``); ``Conflict`` if its id holds another cacheKey."""
    promoted = partition.resolved(tenant, project_id, lambda ref: _promote_at(ref, fields))
    count("KnowledgePromoted", 1)
    return promoted


def _promote_at(ref: ProjectRef, fields: dict[str, Any]) -> dict[str, Any]:
    knowledge_id, operations = knowledge.promote_operations(ref, fields)
    try:
        partition.transact(ref, operations)
    except TransactionCancelled as cancelled:
        if cancelled.failed(knowledge.UPSERT_INDEX):  # 2**-64 per pair of cache keys, but never overwrite
            raise Conflict(f"knowledge '{knowledge_id}' already holds another cacheKey",
                           field="cacheKey") from cancelled
        raise
    return {"promoted": True, "knowledgeId": knowledge_id, "reuseScore": fields["reuseScore"]}


def _item(tenant: str, project_id: str, sk: str) -> dict[str, Any] | None:
    """An item of the live project; 404 unless the project is live."""
    return partition.resolved(tenant, project_id, lambda ref: knowledge.item_at(ref, sk))


def get(tenant: str, project_id: str, knowledge_id: str) -> dict[str, Any] | None:
    """The knowledge item in wire shape (no embedding), or None."""
    item = _item(tenant, project_id, knowledge.knowledge_sk(knowledge_id))
    return knowledge.to_wire(item) if item else None


def list_all(tenant: str, project_id: str) -> list[dict[str, Any]]:
    """A live project's promoted knowledge, by id."""
    return partition.resolved(tenant, project_id, knowledge.list_at)


def embedding(tenant: str, project_id: str, knowledge_id: str) -> list[float] | None:
    """The embedding promoted with the knowledge (float32 precision), or None."""
    item = _item(tenant, project_id, knowledge.embedding_sk(knowledge_id))
    return knowledge.unpack_embedding(item["vector"]) if item else None
