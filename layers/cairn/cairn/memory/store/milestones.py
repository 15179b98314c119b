"""Milestones (GCC COMMIT): store with deduplication, lookup by id, merge."""

from __future__ import annotations

from typing import Any

from cairn.aws import blobs, documents, partition
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import TransactionCancelled, table
from cairn.core import ids
from cairn.core.clock import utc_now
from cairn.core.errors import NotFound
from cairn.memory.domain.branches import MERGED, check_merge, require_active
from cairn.memory.domain.milestones import content_digest, content_hash
from cairn.memory.store import branches
from cairn.memory.store import sequences as streams
from cairn.memory.store.keys import (
    agent_index_pk,
    agent_index_sk,
    entry_sk,
    hash_guard_sk,
    milestone_head_sk,
    milestone_id_sk,
)

TEXT_FIELDS = ("branchPurpose", "cumulativeProgress", "thisContribution")
_WIRE_FIELDS = ("milestoneId", "projectId", "branchName", *TEXT_FIELDS, "contentHash", "sequenceNumber",
                "agentId", "agentType", "createdAt", "mergedFrom")


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {field: item[field] for field in _WIRE_FIELDS if field in item}


def new_item(ref: ProjectRef, branch: str, sequence: int, fields: dict[str, Any], digest: str) -> dict[str, Any]:
    milestone_id = ids.milestone_id()
    created_at = utc_now()
    project_id = ref.project_id
    return {
        "PK": ref.pk,
        "SK": entry_sk(milestone_head_sk(branch), sequence),
        "GSI2PK": agent_index_pk(ref.tenant, fields["agentId"]),
        "GSI2SK": agent_index_sk(created_at, project_id, milestone_id),
        "entity": "milestone",
        "milestoneId": milestone_id,
        "projectId": project_id,
        "branchName": branch,
        "sequenceNumber": sequence,
        "contentHash": content_hash(digest),
        "digest": digest,
        "createdAt": created_at,
        **fields,
        # A search document, pending until the indexer compacts it (docs/search.md); computed here,
        # before large texts are offloaded to S3.
        **documents.milestone_attributes(ref.tenant, project_id, milestone_id, fields, created_at,
                                            generation=ref.generation),
    }


def stored_items(item: dict[str, Any]) -> list[dict[str, Any]]:
    """What one milestone is in the table: the entry in its branch's order, and a copy keyed by id
    (strongly consistent lookup by id, and it disappears with the project's partition)."""
    copy = {name: value for name, value in item.items()  # indexed (GSIs, search) once
            if not name.startswith("GSI") and name not in documents.SEARCH_ATTRIBUTES}
    return [item, {**copy, "SK": milestone_id_sk(item["milestoneId"]), "entity": "milestone-by-id"}]


def _write(ref: ProjectRef, item: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """Runs the transaction with ``item`` offloaded to S3 if large; the blob never outlives a failure."""
    wire = dict(item)
    blob_key = blobs.offload(item, TEXT_FIELDS, prefix=ref.blob_prefix, name=f"milestones/{item['milestoneId']}")
    db = table()
    try:
        db.transact([*operations, *(db.put_op(copy, "attribute_not_exists(PK)") for copy in stored_items(item))])
    except TransactionCancelled:
        blobs.discard(blob_key)
        raise
    item.clear()
    item.update(wire)


def store(tenant: str, project_id: str, branch: str, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Appends a milestone; returns (milestone, deduplicated). An identical milestone anywhere in
    the project is returned instead of creating a new one, also when identical stores race."""
    return partition.resolved(tenant, project_id, lambda ref: _store_at(ref, branch, fields))


def _store_at(ref: ProjectRef, branch: str, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    digest = content_digest(*(fields[name] for name in TEXT_FIELDS))
    pk = ref.pk
    db = table()
    for head, sequence in streams.attempts(ref, branch, "milestones"):
        require_active(head, "storing a milestone")
        item = new_item(ref, branch, sequence, fields, digest)
        guard = {"PK": pk, "SK": hash_guard_sk(digest), "entity": "hash-guard", "milestoneSk": item["SK"]}
        operations = [
            db.put_op(guard, "attribute_not_exists(PK)", return_old=True),
            partition.touch_operation(ref, "ADD milestoneCount :one SET updatedAt = :now",
                                     {":one": 1, ":now": item["createdAt"]}),
            streams.counter_operation(ref, branch, "milestones", sequence, require_active=True),
        ]
        try:
            _write(ref, item, operations)
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                existing_sk = (cancelled.items[0] or {}).get("milestoneSk") or db.get(
                    pk, hash_guard_sk(digest))["milestoneSk"]
                return _load(pk, existing_sk), True
            if cancelled.failed(1):
                raise partition.not_live(ref, cancelled, 1) from cancelled
            continue  # another writer took this sequence number (or the branch closed): read again
        return to_wire(item), False
    raise AssertionError("unreachable: attempts() raises when exhausted")


def _load(pk: str, sk: str) -> dict[str, Any]:
    item = table().get(pk, sk)
    if item is None:
        raise NotFound("milestone not found", field="milestoneId")
    return to_wire(blobs.hydrate(item))


def get(tenant: str, project_id: str, milestone_id: str) -> dict[str, Any]:
    """The project and the milestone's by-id copy in one BatchGetItem: a deleted project's
    milestones are gone at once, before the purge reaches them."""
    return partition.resolved(tenant, project_id, lambda ref: _get_at(ref, milestone_id))


def _get_at(ref: ProjectRef, milestone_id: str) -> dict[str, Any]:
    pk = ref.pk
    found = table().get_many([(pk, PROJECT_SK), (pk, milestone_id_sk(milestone_id))])
    partition.require_live(found.get((pk, PROJECT_SK)), ref)
    item = found.get((pk, milestone_id_sk(milestone_id)))
    if item is None:
        raise NotFound(f"milestone '{milestone_id}' not found", field="milestoneId")
    return to_wire(blobs.hydrate(item))


def page(tenant: str, project_id: str, branch: str, *, limit: int, offset: int) -> tuple[dict, list[dict]]:
    head, items = partition.resolved(
        tenant, project_id, lambda ref: streams.page(ref, branch, "milestones", limit=limit, offset=offset))
    return head, [to_wire(item) for item in items]


def merge(tenant: str, project_id: str, source: str, target: str, summary: str, agent_id: str) -> dict[str, Any]:
    """Closes ``source`` as merged and adds one merge milestone to ``target``, atomically.

    The merge milestone is a GCC commit on the target: its purpose is the target's, its
    previous progress is the target's latest cumulative progress, its contribution the summary.
    """
    check_merge(source, target)
    return partition.resolved(tenant, project_id, lambda ref: _merge_at(ref, source, target, summary, agent_id))


def _merge_at(ref: ProjectRef, source: str, target: str, summary: str, agent_id: str) -> dict[str, Any]:
    for _ in streams.retrying(target):
        source_head = branches.head_at(ref, source, "milestones")
        target_head, latest = streams.page(ref, target, "milestones", limit=1, offset=0)
        require_active(source_head, "merge")
        require_active(target_head, "merge")
        merged_count = source_head["msSeq"]
        sequence = target_head["msSeq"] + 1
        fields = {
            "branchPurpose": target_head["purpose"],
            "cumulativeProgress": latest[0]["cumulativeProgress"] if latest else "",
            "thisContribution": summary,
            "agentId": agent_id,
            "agentType": "merge",
            "mergedFrom": source,
        }
        digest = content_digest(*(fields[name] for name in TEXT_FIELDS))
        item = new_item(ref, target, sequence, fields, digest)
        now = item["createdAt"]
        operations = [
            *branches.close_operations(ref, source, MERGED, {"mergedInto": target, "closedAt": now},
                                       expected_seq=merged_count),
            partition.touch_operation(
                ref, "ADD milestoneCount :one DELETE activeBranches :branch SET updatedAt = :now",
                {":one": 1, ":branch": {source}, ":now": now}),
            streams.counter_operation(ref, target, "milestones", sequence, require_active=True),
        ]
        try:
            _write(ref, item, operations)
        except TransactionCancelled as cancelled:
            if cancelled.failed(2):
                raise partition.not_live(ref, cancelled, 2) from cancelled
            continue  # a concurrent store or close changed one of the branches: re-check both
        return {"merged": True, "milestonesMerged": merged_count, "mergeMilestoneId": item["milestoneId"],
                "sourceBranchStatus": MERGED}
    raise AssertionError("unreachable: attempts() raises when exhausted")

