"""Projects: the ``PROJECT`` item of each project partition (``cairn.aws.partition`` says whether one is
live and which generation a request addresses), listed through GSI1. Functions ending in ``_at`` take the
exact generation (``ProjectRef``); ``cairn.memory.service.projects`` resolves it.
"""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import PROJECT_SK, ProjectRef, escape, projects_index_pk
from cairn.aws.outbox import outbox_operation
from cairn.aws.partition import (
    DELETING,
    LATEST,
    LIVE,
    LIVE_CONDITION,
    LIVE_NAMES,
    LIVE_VALUES,
    generation_of,
    require_live,
)
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core.clock import utc_now
from cairn.memory.domain.branches import DEFAULT_BRANCH, DEFAULT_BRANCH_PURPOSE, SYSTEM_AGENT, ordered_branch_names
from cairn.memory.store import branches
from cairn.memory.store.entities import PROJECT
from cairn.memory.store.keys import BRANCHES_PREFIX


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {**PROJECT.to_wire(item), "activeBranches": ordered_branch_names(set(item.get("activeBranches") or ()))}


# --- create -------------------------------------------------------------------------------------------------


def recreate_operations(anchor: ProjectRef, latest: int) -> list[dict[str, Any]]:
    """What creating generation ``latest + 1`` of the id must prove, ahead of its items: the anchor's
    ``latestGeneration`` still says ``latest`` and moves to the next (index 0), and, when the previous
    generation is not the anchor itself, that one is not live (1, with its old image)."""
    previous = anchor.at(latest)
    db = table()
    if latest == 0:  # the anchor is the previous generation itself
        bump_condition = "attribute_exists(PK) AND #lifecycle <> :live AND attribute_not_exists(#latest)"
        bump_values: dict[str, Any] = {":next": latest + 1, **LIVE_VALUES}
    else:
        bump_condition = "#latest = :seen"
        bump_values = {":next": latest + 1, ":seen": latest}
    operations = [db.update_op(anchor.pk, PROJECT_SK, "SET #latest = :next", condition=bump_condition,
                               names={**LIVE_NAMES, "#latest": LATEST} if latest == 0 else {"#latest": LATEST},
                               values=bump_values)]
    if latest:
        operations.append(db.check_op(previous.pk, PROJECT_SK, "attribute_not_exists(PK) OR #lifecycle <> :live",
                                      names=LIVE_NAMES, values=LIVE_VALUES, return_old=True))
    return operations


def new_project(ref: ProjectRef, name: str, roadmap: str) -> dict[str, Any]:
    now = utc_now()
    return {
        "PK": ref.pk,
        "SK": PROJECT_SK,
        "GSI1PK": projects_index_pk(ref.tenant),
        "GSI1SK": escape(ref.project_id),
        "entity": PROJECT.name,
        "lifecycle": LIVE,
        "projectId": ref.project_id,
        "tenantId": ref.tenant,
        "generation": ref.generation,
        "name": name,
        "roadmap": roadmap,
        "milestoneCount": 0,
        "activeBranches": {DEFAULT_BRANCH},
        "createdAt": now,
        "updatedAt": now,
    }


def create_operations(ref: ProjectRef, project: dict[str, Any]) -> list[dict[str, Any]]:
    """The PROJECT item (index 0, which must not exist; its old image returned) and ``main``'s three items."""
    main = branches.new_branch(ref.project_id, DEFAULT_BRANCH, parent=None, purpose=DEFAULT_BRANCH_PURPOSE,
                               agent_id=SYSTEM_AGENT, now=project["createdAt"])
    db = table()
    return [db.put_op(project, "attribute_not_exists(PK)", return_old=True),
            *[db.put_op(item) for item in branches.branch_items(ref.pk, main)]]


# --- read ---------------------------------------------------------------------------------------------------


def listed(tenant: str) -> list[dict[str, Any]]:
    """The tenant's live PROJECT items from GSI1, one per id: the index is eventually consistent, so a
    generation deleted a moment ago may still show beside its successor, which wins."""
    latest: dict[str, dict[str, Any]] = {}
    for item in table().query_all(projects_index_pk(tenant), index="GSI1", consistent=False):
        held = latest.get(item["projectId"])
        if held is None or generation_of(item) > generation_of(held):
            latest[item["projectId"]] = item
    return list(latest.values())


def overview_at(ref: ProjectRef) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The project and every branch, in one Query (branch descriptors sort right after ``PROJECT``)."""
    items = list(table().query_all(ref.pk, sk_prefix=PROJECT_SK))
    project = require_live(next((i for i in items if i["SK"] == PROJECT_SK), None), ref)
    return project, [branches.to_wire(i) for i in items if i["SK"].startswith(BRANCHES_PREFIX)]


# --- write --------------------------------------------------------------------------------------------------


def update_roadmap_at(ref: ProjectRef, roadmap: str) -> dict[str, Any]:
    """The project with its new roadmap (wire shape); ``ConditionFailed`` when it is not live."""
    item = table().update(
        ref.pk,
        PROJECT_SK,
        "SET roadmap = :roadmap, updatedAt = :now",
        condition=LIVE_CONDITION,
        names=LIVE_NAMES,
        values={**LIVE_VALUES, ":roadmap": roadmap, ":now": utc_now()},
    )
    return to_wire(item)


def mark_deleting_at(ref: ProjectRef) -> None:
    """Hides the project at once: out of the listing index, every route answers 404 from here on; the
    ``project.deleted`` event is written in the same transaction. ``ConditionFailed`` when it is not live."""
    db = table()
    try:
        db.transact([
            db.update_op(ref.pk, PROJECT_SK, "SET #lifecycle = :deleting, updatedAt = :now REMOVE GSI1PK, GSI1SK",
                         condition=LIVE_CONDITION, names=LIVE_NAMES,
                         values={**LIVE_VALUES, ":deleting": DELETING, ":now": utc_now()}, return_old=True),
            outbox_operation(ref.tenant, "project.deleted", {"projectId": ref.project_id}),
        ])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise ConditionFailed(cancelled.items[0]) from cancelled
        raise


def unmark_deleting(ref: ProjectRef) -> None:
    """Compensates ``mark_deleting_at`` when the purge could not be started, unless the project was
    recreated meanwhile (then this generation stays deleting: two live generations must never exist)."""
    db = table()
    restore = "SET #lifecycle = :live, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk"
    values = {**LIVE_VALUES, ":deleting": DELETING, ":gsi1pk": projects_index_pk(ref.tenant),
              ":gsi1sk": escape(ref.project_id)}
    if ref.generation == 0:
        db.update(ref.pk, PROJECT_SK, restore, condition="#lifecycle = :deleting AND attribute_not_exists(#latest)",
                  names={**LIVE_NAMES, "#latest": LATEST}, values=values)
        return
    db.transact([
        db.check_op(ref.anchor.pk, PROJECT_SK, "#latest = :generation", names={"#latest": LATEST},
                    values={":generation": ref.generation}),
        db.update_op(ref.pk, PROJECT_SK, restore, condition="#lifecycle = :deleting", names=LIVE_NAMES,
                     values=values),
    ])


