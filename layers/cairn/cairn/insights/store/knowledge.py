"""Promoted knowledge: long-term memory promoted from a semantic cache entry (docs/metrics.md, "Promote").

One ``KNOW#{knowledgeId}`` item per cache entry in the project's partition, where ``knowledgeId`` is
derived from the ``cacheKey`` (``know-`` + 16 hex digits of its SHA-256): promoting the same entry
again updates the same item. The item is a search document of kind ``knowledge`` (its summary), so
search and intelligence queries find it. An embedding, when given, is a separate ``KNOWVEC#{id}``
item holding little-endian float32s, so that reading or searching knowledge never carries it.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from cairn.aws import documents, partition
from cairn.aws.entity import update_expression
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import table
from cairn.core.clock import utc_now
from cairn.insights.store.entities import KNOWLEDGE, KNOWLEDGE_EMBEDDING

KNOWLEDGE_PREFIX = "KNOW#"
EMBEDDING_PREFIX = "KNOWVEC#"
_ID_HEX_DIGITS = 16
# The client's S3 key of the offloaded cache response. Stored under another name: ``blobKey`` on a
# Cairn item means "my texts are in Cairn's bucket" (cairn.aws.blobs).
_SOURCE_BLOB_KEY = "sourceBlobKey"
# The position of the knowledge item's Update in ``promote_operations``: its condition names a cacheKey clash.
UPSERT_INDEX = 1


def knowledge_id(cache_key: str) -> str:
    return "know-" + hashlib.sha256(cache_key.encode("utf-8")).hexdigest()[:_ID_HEX_DIGITS]


def knowledge_sk(knowledge: str) -> str:
    return f"{KNOWLEDGE_PREFIX}{knowledge}"


def embedding_sk(knowledge: str) -> str:
    return f"{EMBEDDING_PREFIX}{knowledge}"


def pack_embedding(values: list[float]) -> bytes:
    return struct.pack(f"<{len(values)}f", *values)


def unpack_embedding(data: bytes) -> list[float]:
    raw = bytes(data)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    wire = KNOWLEDGE.to_wire(item)
    if _SOURCE_BLOB_KEY in item:
        wire["blobKey"] = item[_SOURCE_BLOB_KEY]
    return wire


def promote_operations(ref: ProjectRef, fields: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The knowledge id of ``fields["cacheKey"]`` and the transaction that promotes it: the project's
    ``updatedAt`` (first: it proves the project live, ``partition.transact``), the knowledge item (at
    ``UPSERT_INDEX``: new, or the same cacheKey), and its embedding put or removed. Every field is replaced
    (an omitted ``blobKey`` or embedding is removed); ``createdAt`` stays from the first promotion."""
    now = utc_now()
    knowledge = knowledge_id(fields["cacheKey"])
    pk = ref.pk
    embedding = fields.get("summaryEmbedding")
    values: dict[str, Any] = {
        "entity": KNOWLEDGE.name,
        "knowledgeId": knowledge,
        "projectId": ref.project_id,
        "cacheKey": fields["cacheKey"],
        "reuseScore": fields["reuseScore"],
        "summary": fields["summary"],
        "l2Collection": fields["l2Collection"],
        _SOURCE_BLOB_KEY: fields.get("blobKey"),
        "embeddingDimensions": len(embedding) if embedding else None,
        "updatedAt": now,
        # The search document's time is this version's: a time-range filter sees the latest promotion.
        **documents.document_attributes(ref.tenant, ref.project_id, documents.KNOWLEDGE, knowledge,
                                        text=fields["summary"], created_at=now, generation=ref.generation),
    }
    db = table()
    operations = [
        partition.touch_operation(ref, "SET updatedAt = :now", {":now": now}),
        _upsert_operation(pk, knowledge_sk(knowledge), values),
        db.put_op({"PK": pk, "SK": embedding_sk(knowledge), "entity": KNOWLEDGE_EMBEDDING.name,
                   "knowledgeId": knowledge, "dimensions": len(embedding), "vector": pack_embedding(embedding)})
        if embedding else db.delete_op(pk, embedding_sk(knowledge)),
    ]
    return knowledge, operations


def _upsert_operation(pk: str, sk: str, values: dict[str, Any]) -> dict[str, Any]:
    """An Update that sets ``values`` (removing those that are None) and keeps ``createdAt``, on
    condition that the item is new or belongs to the same cache key."""
    assignments = {name: value for name, value in values.items() if value is not None}
    removals = tuple(name for name, value in values.items() if value is None)
    update, names, bound = update_expression(assignments, initial={"createdAt": values["updatedAt"]},
                                             remove=removals)
    names["#cacheKey"] = "cacheKey"
    bound[":cacheKey"] = values["cacheKey"]
    return table().update_op(pk, sk, update, condition="attribute_not_exists(PK) OR #cacheKey = :cacheKey",
                             names=names, values=bound)


def item_at(ref: ProjectRef, sk: str) -> dict[str, Any] | None:
    """An item of a live project generation (BatchGetItem with ``PROJECT``); ``NotLive`` unless it is live."""
    found = table().get_many([(ref.pk, PROJECT_SK), (ref.pk, sk)])
    partition.require_live(found.get((ref.pk, PROJECT_SK)), ref)
    return found.get((ref.pk, sk))


def list_at(ref: ProjectRef) -> list[dict[str, Any]]:
    """A live project generation's promoted knowledge in wire shape, by id: GetItem ``PROJECT``, then one
    Query per 1 MB."""
    partition.get_at(ref)
    return [to_wire(item) for item in table().query_all(ref.pk, sk_prefix=KNOWLEDGE_PREFIX)]
