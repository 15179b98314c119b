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
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import TransactionCancelled, table
from cairn.core.clock import utc_now
from cairn.core.errors import Conflict

KNOWLEDGE_PREFIX = "KNOW#"
EMBEDDING_PREFIX = "KNOWVEC#"
KIND = "knowledge"  # the search document kind (cairn.search.store.documents.KNOWLEDGE)
_ID_HEX_DIGITS = 16
_WIRE_FIELDS = ("knowledgeId", "projectId", "cacheKey", "reuseScore", "summary", "l2Collection", "blobKey",
                "embeddingDimensions", "createdAt", "updatedAt")
# The client's S3 key of the offloaded cache response. Stored under another name: ``blobKey`` on a
# Cairn item means "my texts are in Cairn's bucket" (cairn.aws.blobs).
_SOURCE_BLOB_KEY = "sourceBlobKey"


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
    wire = {field: item[field] for field in _WIRE_FIELDS if field in item}
    if _SOURCE_BLOB_KEY in item:
        wire["blobKey"] = item[_SOURCE_BLOB_KEY]
    return wire


def promote(tenant: str, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates or updates the knowledge of ``fields["cacheKey"]`` in one transaction that also proves
    the project live (and sets its ``updatedAt``). Every field is replaced by the new promotion (an
    omitted ``blobKey`` or embedding is removed); ``createdAt`` stays from the first one."""
    return partition.resolved(tenant, project_id, lambda ref: _promote_at(ref, fields))


def _promote_at(ref: ProjectRef, fields: dict[str, Any]) -> dict[str, Any]:

    now = utc_now()
    knowledge = knowledge_id(fields["cacheKey"])
    pk = ref.pk
    embedding = fields.get("summaryEmbedding")
    values: dict[str, Any] = {
        "entity": "knowledge",
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
        **documents.document_attributes(ref.tenant, ref.project_id, KIND, knowledge, text=fields["summary"],
                                     created_at=now, generation=ref.generation),
    }
    db = table()
    operations = [
        partition.touch_operation(ref, "SET updatedAt = :now", {":now": now}),
        _upsert_operation(pk, knowledge_sk(knowledge), values),
        db.put_op({"PK": pk, "SK": embedding_sk(knowledge), "entity": "knowledge-embedding",
                   "knowledgeId": knowledge, "dimensions": len(embedding), "vector": pack_embedding(embedding)})
        if embedding else db.delete_op(pk, embedding_sk(knowledge)),
    ]
    try:
        partition.transact(ref, operations)
    except TransactionCancelled as cancelled:
        if cancelled.failed(1):  # 2**-64 per pair of cache keys, but never silently overwrite
            raise Conflict(f"knowledge '{knowledge}' already holds another cacheKey", field="cacheKey") from cancelled
        raise
    return {"promoted": True, "knowledgeId": knowledge, "reuseScore": fields["reuseScore"]}


def _upsert_operation(pk: str, sk: str, values: dict[str, Any]) -> dict[str, Any]:
    """An Update that sets ``values`` (removing those that are None) and keeps ``createdAt``, on
    condition that the item is new or belongs to the same cache key."""
    names = {"#cacheKey": "cacheKey", "#createdAt": "createdAt"}
    bound: dict[str, Any] = {":cacheKey": values["cacheKey"], ":now": values["updatedAt"]}
    assignments = ["#createdAt = if_not_exists(#createdAt, :now)"]
    removals = []
    for index, (name, value) in enumerate(values.items()):
        names[f"#a{index}"] = name
        if value is None:
            removals.append(f"#a{index}")
        else:
            bound[f":a{index}"] = value
            assignments.append(f"#a{index} = :a{index}")
    update = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
    return table().update_op(pk, sk, update, condition="attribute_not_exists(PK) OR #cacheKey = :cacheKey",
                             names=names, values=bound)


def _item(tenant: str, project_id: str, sk: str) -> dict[str, Any] | None:
    """An item of the live project (BatchGetItem with ``PROJECT``); 404 unless the project is live."""
    def read(ref: ProjectRef) -> dict[str, Any] | None:
        found = table().get_many([(ref.pk, PROJECT_SK), (ref.pk, sk)])
        partition.require_live(found.get((ref.pk, PROJECT_SK)), ref)
        return found.get((ref.pk, sk))

    return partition.resolved(tenant, project_id, read)


def get(tenant: str, project_id: str, knowledge: str) -> dict[str, Any] | None:
    """The knowledge item in wire shape (no embedding), or None."""
    item = _item(tenant, project_id, knowledge_sk(knowledge))
    return to_wire(item) if item else None


def list_all(tenant: str, project_id: str) -> list[dict[str, Any]]:
    """A live project's promoted knowledge, by id: GetItem ``PROJECT``, then one Query per 1 MB."""
    def read(ref: ProjectRef) -> list[dict[str, Any]]:
        partition.get_at(ref)
        return [to_wire(item) for item in table().query_all(ref.pk, sk_prefix=KNOWLEDGE_PREFIX)]

    return partition.resolved(tenant, project_id, read)


def embedding(tenant: str, project_id: str, knowledge: str) -> list[float] | None:
    """The embedding promoted with the knowledge (float32 precision), or None."""
    item = _item(tenant, project_id, embedding_sk(knowledge))
    return unpack_embedding(item["vector"]) if item else None
