"""The OTA log: high-frequency observation/thought/action entries per branch."""

from __future__ import annotations

from typing import Any

from cairn.aws import blobs, partition
from cairn.aws.keys import ProjectRef
from cairn.aws.table import TransactionCancelled, table
from cairn.core import ids
from cairn.core.clock import utc_now
from cairn.memory.store import sequences as streams
from cairn.memory.store.keys import entry_sk, log_head_sk

_APPEND_FIELDS = ("entryId", "projectId", "branchName", "agentId", "phase", "sequenceNumber", "createdAt")
_VIEW_FIELDS = (*_APPEND_FIELDS, "content")


def append(tenant: str, project_id: str, branch: str, agent_id: str, phase: str, content: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _append_at(ref, branch, agent_id, phase, content))


def _append_at(ref: ProjectRef, branch: str, agent_id: str, phase: str, content: str) -> dict[str, Any]:
    db = table()
    for _, sequence in streams.attempts(ref, branch, "logs"):
        item = {
            "PK": ref.pk,
            "SK": entry_sk(log_head_sk(branch), sequence),
            "entity": "log-entry",
            "entryId": ids.log_entry_id(),
            "projectId": ref.project_id,
            "branchName": branch,
            "agentId": agent_id,
            "phase": phase,
            "content": content,
            "sequenceNumber": sequence,
            "createdAt": utc_now(),
        }
        wire = {field: item[field] for field in _APPEND_FIELDS}
        blob_key = blobs.offload(item, ("content",), prefix=ref.blob_prefix, name=f"logs/{item['entryId']}")
        operations = [
            partition.touch_operation(ref, "SET updatedAt = :now", {":now": item["createdAt"]}),
            streams.counter_operation(ref, branch, "logs", sequence, require_active=False),
            db.put_op(item, "attribute_not_exists(PK)"),
        ]
        try:
            db.transact(operations)
        except TransactionCancelled as cancelled:
            blobs.discard(blob_key)
            if cancelled.failed(0):
                raise partition.not_live(ref, cancelled, 0) from cancelled
            continue  # another writer took this sequence number: read the head again
        return wire
    raise AssertionError("unreachable: attempts() raises when exhausted")


def page(tenant: str, project_id: str, branch: str, *, limit: int, offset: int) -> tuple[dict, list[dict]]:
    head, items = partition.resolved(
        tenant, project_id, lambda ref: streams.page(ref, branch, "logs", limit=limit, offset=offset))
    return head, [{field: item[field] for field in _VIEW_FIELDS} for item in items]
