"""Milestones (GCC COMMIT): store with deduplication, read, page, merge; and the tenant's milestones by
agent for insights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cairn.aws import blobs, partition
from cairn.aws.keys import ProjectRef
from cairn.aws.listing import ListQuery
from cairn.aws.outbox import outbox_operation
from cairn.aws.table import TransactionCancelled, table
from cairn.core.observability import count
from cairn.memory.domain import logs as log_highlights
from cairn.memory.domain.branches import MERGED, check_merge, require_active
from cairn.memory.domain.milestones import content_digest
from cairn.memory.service import appends
from cairn.memory.store import activity, agents, branches, logs, milestones, sequences
from cairn.memory.store.milestones import TEXT_FIELDS


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    """A milestone item another context read (a search hit) as the wire shows it."""
    return milestones.to_wire(item)


def newest_by_agents(tenant: str, agent_ids: list[str], limit: int) -> list[dict[str, Any]]:
    """The tenant's newest milestones stored by any of ``agent_ids``, across its live projects."""
    return activity.newest(tenant, agent_ids, limit)


def count_by_agents(tenant: str, agent_ids: list[str]) -> int:
    return activity.count(tenant, agent_ids)


def agents_page(tenant: str, query: ListQuery) -> tuple[list[Mapping[str, Any]], int]:
    """A page of the agents that stored a milestone in the tenant's memory (count, first and last activity),
    and how many there are."""
    return agents.page(tenant, query)


def _digest(fields: dict[str, Any]) -> str:
    return content_digest(*(fields[name] for name in TEXT_FIELDS))


def _write(ref: ProjectRef, item: dict[str, Any], operations: list[dict[str, Any]], event: dict[str, Any]) -> None:
    """Runs ``operations``, the milestone's puts, its agent's count and the ``event``'s outbox put in one
    transaction, with its large texts offloaded to S3 for the write (``item`` keeps them); the blob never outlives
    a failure."""
    wire = dict(item)
    blob_key = blobs.offload(item, TEXT_FIELDS, prefix=ref.blob_prefix, name=f"milestones/{item['milestoneId']}")
    try:
        table().transact([*operations, *milestones.put_operations(item), agents.activity_operation(ref, item), event])
    except TransactionCancelled:
        blobs.discard(blob_key)
        raise
    finally:
        item.clear()
        item.update(wire)


# --- store --------------------------------------------------------------------------------------------------


def store(tenant: str, project_id: str, branch: str, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Appends a milestone; returns (milestone, deduplicated). An identical milestone anywhere in
    the project is returned instead of creating a new one, also when identical stores race."""
    milestone, deduplicated = partition.resolved(tenant, project_id, lambda ref: _store_at(ref, branch, fields))
    count("MilestonesDeduplicated" if deduplicated else "MilestonesStored", 1)
    return milestone, deduplicated


def _store_at(ref: ProjectRef, branch: str, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    digest = _digest(fields)
    for head, sequence in appends.attempts(ref, branch, "milestones"):
        require_active(head, "storing a milestone")
        item = milestones.new_item(ref, branch, sequence, fields, digest)
        operations = [
            milestones.guard_operation(ref, digest, item["SK"]),
            partition.touch_operation(ref, "ADD milestoneCount :one SET updatedAt = :now",
                                      {":one": 1, ":now": item["createdAt"]}),
            sequences.counter_operation(ref, branch, "milestones", sequence, require_active=True),
        ]
        try:
            _write(ref, item, operations, outbox_operation(ref.tenant, "milestone.stored", {
                "projectId": ref.project_id, "branch": branch, "milestoneId": item["milestoneId"]}))
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                return milestones.load(ref, milestones.guarded_sk(ref, digest, cancelled.items[0])), True
            if cancelled.failed(1):
                raise partition.not_live(ref, cancelled, 1) from cancelled
            continue  # another writer took this sequence number (or the branch closed): read again
        return milestones.to_wire(item), False
    raise AssertionError("unreachable: attempts() raises when exhausted")


# --- read ---------------------------------------------------------------------------------------------------


def get(tenant: str, project_id: str, milestone_id: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: milestones.get_at(ref, milestone_id))


def page(tenant: str, project_id: str, branch: str, *, limit: int,
         offset: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The branch's milestone head and a page of its milestones (wire shape), newest first."""
    head, items = partition.resolved(
        tenant, project_id, lambda ref: sequences.page(ref, branch, "milestones", limit=limit, offset=offset))
    return head, [milestones.to_wire(item) for item in items]


def page_with_log(tenant: str, project_id: str, branch: str, *,
                  limit: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The branch's milestone head, its ``limit`` newest milestones and its newest log entries (content cut to
    one line of ``HIGHLIGHT_CHARS``) in one Query; the log is None when the highlights do not hold the newest
    entries (a branch created before they existed, with fewer than ``HIGHLIGHTS`` appends since): then read the
    log page."""
    first = partition.resolved(tenant, project_id,
                               lambda ref: sequences.first_page(ref, branch, "milestones", limit=limit))
    complete = log_highlights.complete(len(first.highlights), since_creation=bool(first.head.get(branches.HIGHLIGHTED)))
    return (first.head, [milestones.to_wire(item) for item in first.entries],
            logs.highlights_to_wire(first.highlights) if complete else None)


# --- merge --------------------------------------------------------------------------------------------------


def merge(tenant: str, project_id: str, source: str, target: str, summary: str, agent_id: str) -> dict[str, Any]:
    """Closes ``source`` as merged and adds one merge milestone to ``target``, atomically.

    The merge milestone is a GCC commit on the target: its purpose is the target's, its
    previous progress is the target's latest cumulative progress, its contribution the summary.
    """
    check_merge(source, target)
    merged = partition.resolved(tenant, project_id, lambda ref: _merge_at(ref, source, target, summary, agent_id))
    count("BranchesMerged", 1)
    return merged


def _merge_at(ref: ProjectRef, source: str, target: str, summary: str, agent_id: str) -> dict[str, Any]:
    for _ in appends.retrying(target):
        source_head = branches.head_at(ref, source, "milestones")
        target_head, latest = sequences.page(ref, target, "milestones", limit=1, offset=0)
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
        item = milestones.new_item(ref, target, sequence, fields, _digest(fields))
        now = item["createdAt"]
        operations = [
            *branches.close_operations(ref, source, MERGED, {"mergedInto": target, "closedAt": now},
                                       expected_seq=merged_count),
            partition.touch_operation(
                ref, "ADD milestoneCount :one DELETE activeBranches :branch SET updatedAt = :now",
                {":one": 1, ":branch": {source}, ":now": now}),
            sequences.counter_operation(ref, target, "milestones", sequence, require_active=True),
        ]
        try:
            _write(ref, item, operations, outbox_operation(ref.tenant, "branch.merged", {
                "projectId": ref.project_id, "branch": source, "into": target,
                "mergeMilestoneId": item["milestoneId"]}))
        except TransactionCancelled as cancelled:
            if cancelled.failed(2):
                raise partition.not_live(ref, cancelled, 2) from cancelled
            continue  # a concurrent store or close changed one of the branches: re-check both
        return {"merged": True, "milestonesMerged": merged_count, "mergeMilestoneId": item["milestoneId"],
                "sourceBranchStatus": MERGED}
    raise AssertionError("unreachable: retrying() raises when exhausted")
