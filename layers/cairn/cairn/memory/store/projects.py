"""Projects: the ``PROJECT`` item of each project partition, listed through GSI1.

A project id may have several generations (docs/memory-model.md, "Delete and recreate"): functions taking
``(tenant, project_id)`` resolve the live one (``partition.resolved``); functions ending in ``_at`` take
the exact ``ProjectRef``.
"""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import PROJECT_SK, ProjectRef, escape, projects_index_pk
from cairn.aws.partition import (
    DELETING,
    LATEST,
    LIVE,
    LIVE_CONDITION,
    LIVE_NAMES,
    LIVE_VALUES,
    NotLive,
    generation_of,
    get_at,
    is_live,
    ref_of,
    require_live,
)
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core.clock import utc_now
from cairn.core.errors import Conflict
from cairn.memory.domain.branches import DEFAULT_BRANCH, DEFAULT_BRANCH_PURPOSE, SYSTEM_AGENT, ordered_branch_names
from cairn.memory.store import branches as branch_items
from cairn.memory.store.keys import BRANCHES_PREFIX

# Racing creates of the same id retry this often before answering 409.
CREATE_ATTEMPTS = 5

_WIRE_FIELDS = ("projectId", "tenantId", "name", "roadmap", "milestoneCount")


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **{field: item[field] for field in _WIRE_FIELDS},
        "activeBranches": ordered_branch_names(set(item.get("activeBranches") or ())),
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
    }


# --- create -------------------------------------------------------------------------------------------------


def create(tenant: str, project_id: str, name: str, roadmap: str) -> dict[str, Any]:
    """Creates the project; 409 if it exists. An id whose project was deleted is created again at once, as
    the next generation, while the old one's purge runs: one transaction bumps the anchor's
    ``latestGeneration`` from the value seen, checks the previous generation is not live, and puts the new
    project with its ``main`` branch. Of racing creates exactly one succeeds."""
    anchor = ProjectRef(tenant, project_id)
    for _ in range(CREATE_ATTEMPTS):
        try:
            return _create_at(anchor, name, roadmap, [])
        except TransactionCancelled as cancelled:
            if not cancelled.failed(0):
                if cancelled.conflicting:
                    continue
                raise
            seen = cancelled.items[0] or {}
        if is_live(seen):
            raise _exists(project_id)
        created = _recreate(anchor, seen, name, roadmap)
        if created is not None:
            return created
    raise Conflict(f"project '{project_id}' is being created by another request", field="projectId")


def _exists(project_id: str) -> Conflict:
    return Conflict(f"project '{project_id}' already exists", field="projectId")


def _recreate(anchor: ProjectRef, seen: dict[str, Any], name: str, roadmap: str) -> dict[str, Any] | None:
    """The next generation after the one ``seen`` (the anchor as read) names; None when another request
    moved the anchor meanwhile (look again)."""
    latest = int(seen.get(LATEST) or 0)
    previous, ref = anchor.at(latest), anchor.at(latest + 1)
    db = table()
    if latest == 0:  # the anchor is the previous generation itself
        bump_condition = "attribute_exists(PK) AND #lifecycle <> :live AND attribute_not_exists(#latest)"
        bump_values: dict[str, Any] = {":next": ref.generation, **LIVE_VALUES}
    else:
        bump_condition = "#latest = :seen"
        bump_values = {":next": ref.generation, ":seen": latest}
    operations = [db.update_op(anchor.pk, PROJECT_SK, "SET #latest = :next", condition=bump_condition,
                               names={**LIVE_NAMES, "#latest": LATEST} if latest == 0 else {"#latest": LATEST},
                               values=bump_values)]
    if latest:
        operations.append(db.check_op(previous.pk, PROJECT_SK, "attribute_not_exists(PK) OR #lifecycle <> :live",
                                      names=LIVE_NAMES, values=LIVE_VALUES, return_old=True))
    try:
        project = _create_at(ref, name, roadmap, operations)
    except TransactionCancelled as cancelled:
        if latest and cancelled.failed(1):
            raise _exists(anchor.project_id) from cancelled
        if cancelled.failed(0) or cancelled.conflicting:
            return None
        raise
    # The previous generation can no longer come back (``unmark_deleting`` checks the anchor), so the
    # branch items a DELETE cut short may have left can go: no read of the old generation finds a head.
    branch_items.delete_branch_items(previous)
    return project


def _create_at(ref: ProjectRef, name: str, roadmap: str, leading: list[dict[str, Any]]) -> dict[str, Any]:
    """One transaction: ``leading`` operations, then the PROJECT item (index ``len(leading)``, which must
    not exist) and ``main``'s three items."""
    now = utc_now()
    project = {
        "PK": ref.pk,
        "SK": PROJECT_SK,
        "GSI1PK": projects_index_pk(ref.tenant),
        "GSI1SK": escape(ref.project_id),
        "entity": "project",
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
    main = branch_items.new_branch(
        ref.project_id, DEFAULT_BRANCH, parent=None, purpose=DEFAULT_BRANCH_PURPOSE, agent_id=SYSTEM_AGENT, now=now
    )
    db = table()
    operations = [*leading, db.put_op(project, "attribute_not_exists(PK)", return_old=True)]
    operations += [db.put_op(item) for item in branch_items.branch_items(ref.pk, main)]
    db.transact(operations)
    partition.remember(ref)
    return to_wire(project)


# --- read ---------------------------------------------------------------------------------------------------


def get(tenant: str, project_id: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, get_at)


def _listed(tenant: str) -> list[dict[str, Any]]:
    """The tenant's live PROJECT items from GSI1, one per id: the index is eventually consistent, so a
    generation deleted a moment ago may still show beside its successor, which wins."""
    latest: dict[str, dict[str, Any]] = {}
    for item in table().query_all(projects_index_pk(tenant), index="GSI1", consistent=False):
        held = latest.get(item["projectId"])
        if held is None or generation_of(item) > generation_of(held):
            latest[item["projectId"]] = item
    return list(latest.values())


def list_all(tenant: str) -> list[dict[str, Any]]:
    return [to_wire(item) for item in _listed(tenant)]


def list_refs(tenant: str) -> list[ProjectRef]:
    """The listed projects, each at the generation its listing entry belongs to."""
    return [ref_of(item) for item in _listed(tenant)]


def overview(tenant: str, project_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return partition.resolved(tenant, project_id, overview_at)


def overview_at(ref: ProjectRef) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The project and every branch, in one Query (branch descriptors sort right after ``PROJECT``)."""
    items = list(table().query_all(ref.pk, sk_prefix=PROJECT_SK))
    project = require_live(next((i for i in items if i["SK"] == PROJECT_SK), None), ref)
    branches = [branch_items.to_wire(i) for i in items if i["SK"].startswith(BRANCHES_PREFIX)]
    return project, branches


# --- write --------------------------------------------------------------------------------------------------


def update_roadmap(tenant: str, project_id: str, roadmap: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _update_roadmap_at(ref, roadmap))


def _update_roadmap_at(ref: ProjectRef, roadmap: str) -> dict[str, Any]:
    try:
        item = table().update(
            ref.pk,
            PROJECT_SK,
            "SET roadmap = :roadmap, updatedAt = :now",
            condition=LIVE_CONDITION,
            names=LIVE_NAMES,
            values={**LIVE_VALUES, ":roadmap": roadmap, ":now": utc_now()},
        )
    except ConditionFailed as failed:
        raise NotLive(ref, failed.item) from failed
    return to_wire(item)


def mark_deleting(tenant: str, project_id: str) -> ProjectRef:
    """Hides the project at once (``mark_deleting_at`` on its live generation); returns that generation."""
    def mark(ref: ProjectRef) -> ProjectRef:
        mark_deleting_at(ref)
        return ref

    return partition.resolved(tenant, project_id, mark)


def mark_deleting_at(ref: ProjectRef) -> None:
    """Hides the project at once: out of the listing index, every route answers 404 from here on."""
    try:
        table().update(
            ref.pk,
            PROJECT_SK,
            "SET #lifecycle = :deleting, updatedAt = :now REMOVE GSI1PK, GSI1SK",
            condition=LIVE_CONDITION,
            names=LIVE_NAMES,
            values={**LIVE_VALUES, ":deleting": DELETING, ":now": utc_now()},
        )
    except ConditionFailed as failed:
        raise NotLive(ref, failed.item) from failed


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


