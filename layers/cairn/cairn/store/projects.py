"""Projects: the ``PROJECT`` item of each project partition, listed through GSI1."""

from __future__ import annotations

from typing import Any

from cairn.domain.branches import DEFAULT_BRANCH, DEFAULT_BRANCH_PURPOSE, SYSTEM_AGENT, ordered_branch_names
from cairn.domain.clock import utc_now
from cairn.domain.errors import Conflict, NotFound
from cairn.store import branches as branch_items
from cairn.store.keys import BRANCHES_PREFIX, PROJECT_SK, escape, project_pk, projects_index_pk
from cairn.store.table import ConditionFailed, TransactionCancelled, table

LIVE = "live"
DELETING = "deleting"
# Every write that touches a project's content carries this condition, so that nothing is
# written into a project once its deletion has begun.
LIVE_CONDITION = "#lifecycle = :live"
LIVE_NAMES = {"#lifecycle": "lifecycle"}
LIVE_VALUES = {":live": LIVE}

_WIRE_FIELDS = ("projectId", "tenantId", "name", "roadmap", "milestoneCount")


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **{field: item[field] for field in _WIRE_FIELDS},
        "activeBranches": ordered_branch_names(set(item.get("activeBranches") or ())),
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
    }


def require_live(item: dict[str, Any] | None, project_id: str) -> dict[str, Any]:
    if item is None or item.get("lifecycle") != LIVE:
        raise NotFound(f"project '{project_id}' not found", field="id")
    return item


def project_not_found(project_id: str) -> NotFound:
    return NotFound(f"project '{project_id}' not found", field="id")


def create(tenant: str, project_id: str, name: str, roadmap: str) -> dict[str, Any]:
    now = utc_now()
    pk = project_pk(tenant, project_id)
    project = {
        "PK": pk,
        "SK": PROJECT_SK,
        "GSI1PK": projects_index_pk(tenant),
        "GSI1SK": escape(project_id),
        "entity": "project",
        "lifecycle": LIVE,
        "projectId": project_id,
        "tenantId": tenant,
        "name": name,
        "roadmap": roadmap,
        "milestoneCount": 0,
        "activeBranches": {DEFAULT_BRANCH},
        "createdAt": now,
        "updatedAt": now,
    }
    main = branch_items.new_branch(
        project_id, DEFAULT_BRANCH, parent=None, purpose=DEFAULT_BRANCH_PURPOSE, agent_id=SYSTEM_AGENT, now=now
    )
    db = table()
    operations = [db.put_op(project, "attribute_not_exists(PK)", return_old=True)]
    operations += [db.put_op(item) for item in branch_items.branch_items(pk, main)]
    try:
        db.transact(operations)
    except TransactionCancelled as cancelled:
        if not cancelled.failed(0):
            raise
        old = cancelled.items[0] or {}
        state = "is still being deleted" if old.get("lifecycle") == DELETING else "already exists"
        raise Conflict(f"project '{project_id}' {state}", field="projectId") from cancelled
    return to_wire(project)


def get(tenant: str, project_id: str) -> dict[str, Any]:
    return require_live(table().get(project_pk(tenant, project_id), PROJECT_SK), project_id)


def list_all(tenant: str) -> list[dict[str, Any]]:
    items = table().query_all(projects_index_pk(tenant), index="GSI1", consistent=False)
    return [to_wire(item) for item in items]


def overview(tenant: str, project_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The project and every branch, in one Query (branch descriptors sort right after ``PROJECT``)."""
    items = list(table().query_all(project_pk(tenant, project_id), sk_prefix=PROJECT_SK))
    project = require_live(next((i for i in items if i["SK"] == PROJECT_SK), None), project_id)
    branches = [branch_items.to_wire(i) for i in items if i["SK"].startswith(BRANCHES_PREFIX)]
    return project, branches


def update_roadmap(tenant: str, project_id: str, roadmap: str) -> dict[str, Any]:
    try:
        item = table().update(
            project_pk(tenant, project_id),
            PROJECT_SK,
            "SET roadmap = :roadmap, updatedAt = :now",
            condition=LIVE_CONDITION,
            names=LIVE_NAMES,
            values={**LIVE_VALUES, ":roadmap": roadmap, ":now": utc_now()},
        )
    except ConditionFailed as failed:
        raise project_not_found(project_id) from failed
    return to_wire(item)


def mark_deleting(tenant: str, project_id: str) -> None:
    """Hides the project at once: out of the listing index, every route answers 404 from here on."""
    try:
        table().update(
            project_pk(tenant, project_id),
            PROJECT_SK,
            "SET #lifecycle = :deleting, updatedAt = :now REMOVE GSI1PK, GSI1SK",
            condition=LIVE_CONDITION,
            names=LIVE_NAMES,
            values={**LIVE_VALUES, ":deleting": DELETING, ":now": utc_now()},
        )
    except ConditionFailed as failed:
        raise project_not_found(project_id) from failed


def unmark_deleting(tenant: str, project_id: str) -> None:
    """Compensates ``mark_deleting`` when the purge could not be started."""
    table().update(
        project_pk(tenant, project_id),
        PROJECT_SK,
        "SET #lifecycle = :live, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk",
        condition="#lifecycle = :deleting",
        names=LIVE_NAMES,
        values={**LIVE_VALUES, ":deleting": DELETING, ":gsi1pk": projects_index_pk(tenant),
                ":gsi1sk": escape(project_id)},
    )


def transact(project_id: str, operations: list[dict[str, Any]]) -> None:
    """Runs a transaction whose first operation is on the project (``touch_operation`` or
    ``live_check_operation``): its failure means the project is gone, a 404. Other failures are
    raised as they are, for the caller to name."""
    try:
        table().transact(operations)
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise project_not_found(project_id) from cancelled
        raise


def live_check_operation(tenant: str, project_id: str) -> dict[str, Any]:
    """A transaction operation that only proves the project is live (it writes nothing to it)."""
    return table().check_op(project_pk(tenant, project_id), PROJECT_SK, LIVE_CONDITION, names=LIVE_NAMES,
                            values=LIVE_VALUES)


def touch_operation(tenant: str, project_id: str, update: str, values: dict[str, Any]) -> dict[str, Any]:
    """A transaction operation on the project item that also proves it is live."""
    return table().update_op(
        project_pk(tenant, project_id),
        PROJECT_SK,
        update,
        condition=LIVE_CONDITION,
        names=LIVE_NAMES,
        values={**LIVE_VALUES, **values},
    )

