"""The OTA log: append an entry to a branch (and its highlight beside the milestone head), read a page."""

from __future__ import annotations

from typing import Any

from cairn.aws import blobs, partition
from cairn.aws.keys import ProjectRef
from cairn.aws.table import TransactionCancelled, table
from cairn.memory.service import appends
from cairn.memory.store import logs, sequences


def append(tenant: str, project_id: str, branch: str, agent_id: str, phase: str, content: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _append_at(ref, branch, agent_id, phase, content))


def _append_at(ref: ProjectRef, branch: str, agent_id: str, phase: str, content: str) -> dict[str, Any]:
    for _, sequence in appends.attempts(ref, branch, "logs"):
        item = logs.new_entry(ref, branch, sequence, agent_id, phase, content)
        wire = logs.appended_wire(item)
        highlight = logs.highlight(item)
        blob_key = blobs.offload(item, (logs.CONTENT,), prefix=ref.blob_prefix, name=f"logs/{item['entryId']}")
        db = table()
        operations = [
            partition.touch_operation(ref, "SET updatedAt = :now", {":now": item["createdAt"]}),
            sequences.counter_operation(ref, branch, "logs", sequence, require_active=False),
            db.put_op(item, "attribute_not_exists(PK)"),
            db.put_op(highlight),  # replaces the slot's older entry: appends are serialized by the counter
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


def page(tenant: str, project_id: str, branch: str, *, limit: int,
         offset: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The branch's log head and a page of its entries (wire shape), newest first."""
    head, items = partition.resolved(
        tenant, project_id, lambda ref: sequences.page(ref, branch, "logs", limit=limit, offset=offset))
    return head, [logs.to_wire(item) for item in items]
