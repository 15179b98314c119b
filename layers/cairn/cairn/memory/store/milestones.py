"""Milestone items: the entry in its branch's order, its copy keyed by id, the content-hash guard."""

from __future__ import annotations

from typing import Any

from cairn.aws import blobs, documents, partition
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import table
from cairn.core import ids
from cairn.core.clock import utc_now
from cairn.core.errors import NotFound
from cairn.memory.domain.milestones import content_hash
from cairn.memory.store.entities import HASH_GUARD, MILESTONE, MILESTONE_BY_ID
from cairn.memory.store.keys import (
    agent_index_pk,
    agent_index_sk,
    entry_sk,
    hash_guard_sk,
    milestone_head_sk,
    milestone_id_sk,
)

TEXT_FIELDS = ("branchPurpose", "cumulativeProgress", "thisContribution")


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return MILESTONE.to_wire(item)


def new_item(ref: ProjectRef, branch: str, sequence: int, fields: dict[str, Any], digest: str) -> dict[str, Any]:
    milestone_id = ids.milestone_id()
    created_at = utc_now()
    project_id = ref.project_id
    return {
        "PK": ref.pk,
        "SK": entry_sk(milestone_head_sk(branch), sequence),
        "GSI2PK": agent_index_pk(ref.tenant, fields["agentId"]),
        "GSI2SK": agent_index_sk(created_at, project_id, milestone_id),
        "entity": MILESTONE.name,
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
    return [item, {**copy, "SK": milestone_id_sk(item["milestoneId"]), "entity": MILESTONE_BY_ID.name}]


def put_operations(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The puts of ``stored_items`` (both new)."""
    db = table()
    return [db.put_op(copy, "attribute_not_exists(PK)") for copy in stored_items(item)]


def guard_operation(ref: ProjectRef, digest: str, milestone_sk: str) -> dict[str, Any]:
    """Claims the content hash for the milestone at ``milestone_sk``; fails (with the old image) when the
    project already holds an identical milestone."""
    guard = {"PK": ref.pk, "SK": hash_guard_sk(digest), "entity": HASH_GUARD.name, "milestoneSk": milestone_sk}
    return table().put_op(guard, "attribute_not_exists(PK)", return_old=True)


def guarded_sk(ref: ProjectRef, digest: str, seen: dict[str, Any] | None) -> str:
    """The sort key of the milestone a hash guard names: from the guard's old image when the failed
    transaction returned it, else read (one GetItem)."""
    milestone_sk = (seen or {}).get("milestoneSk")
    if milestone_sk is None:
        guard = table().get(ref.pk, hash_guard_sk(digest))
        if guard is None:
            raise NotFound("milestone not found", field="milestoneId")
        milestone_sk = guard["milestoneSk"]
    return str(milestone_sk)


def load(ref: ProjectRef, sk: str) -> dict[str, Any]:
    """The milestone at ``sk`` (wire shape, large texts read back from S3)."""
    item = table().get(ref.pk, sk)
    if item is None:
        raise NotFound("milestone not found", field="milestoneId")
    return to_wire(blobs.hydrate(item))


def get_at(ref: ProjectRef, milestone_id: str) -> dict[str, Any]:
    """The project and the milestone's by-id copy in one BatchGetItem: a deleted project's
    milestones are gone at once, before the purge reaches them."""
    pk = ref.pk
    found = table().get_many([(pk, PROJECT_SK), (pk, milestone_id_sk(milestone_id))])
    partition.require_live(found.get((pk, PROJECT_SK)), ref)
    item = found.get((pk, milestone_id_sk(milestone_id)))
    if item is None:
        raise NotFound(f"milestone '{milestone_id}' not found", field="milestoneId")
    return to_wire(blobs.hydrate(item))
