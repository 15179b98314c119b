"""Branches. Each branch is three items, written and closed together in transactions:

- the descriptor ``PROJECT#BRANCH#{name}`` (sorts beside the project: overview is one Query),
- the milestone head ``MS#{name}`` (status and milestone counter, sorts before its milestones),
- the log head ``LOG#{name}`` (log counter, sorts before its log entries).
"""

from __future__ import annotations

from typing import Any, NoReturn

from cairn.aws import partition
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import TransactionCancelled, table
from cairn.core.clock import utc_now
from cairn.core.errors import Conflict, NotFound
from cairn.memory.domain.branches import ABANDONED, ACTIVE, check_abandon
from cairn.memory.store import projects
from cairn.memory.store.keys import BRANCHES_PREFIX, branch_sk, log_head_sk, milestone_head_sk

_WIRE_FIELDS = ("projectId", "branchName", "parentBranch", "purpose", "status", "agentId", "createdAt",
                "abandonReason")
STATUS_NAMES = {"#status": "status"}
HEAD_COUNTER = {"milestones": "msSeq", "logs": "logSeq"}


def new_branch(project_id: str, name: str, *, parent: str | None, purpose: str, agent_id: str,
               now: str) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "branchName": name,
        "parentBranch": parent,
        "purpose": purpose,
        "status": ACTIVE,
        "agentId": agent_id,
        "createdAt": now,
        "abandonReason": None,
    }


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {field: item.get(field) for field in _WIRE_FIELDS}


def branch_items(pk: str, branch: dict[str, Any]) -> list[dict[str, Any]]:
    name = branch["branchName"]
    return [
        {"PK": pk, "SK": branch_sk(name), "entity": "branch", **branch},
        {"PK": pk, "SK": milestone_head_sk(name), "entity": "milestone-head", **branch, "msSeq": 0},
        {"PK": pk, "SK": log_head_sk(name), "entity": "log-head", "branchName": name, "logSeq": 0},
    ]


def branch_not_found(name: str) -> NotFound:
    return NotFound(f"branch '{name}' not found", field="branchName")


def create(tenant: str, project_id: str, name: str, parent: str, purpose: str, agent_id: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id,
                                lambda ref: _create_at(ref, name, parent, purpose, agent_id))


def _create_at(ref: ProjectRef, name: str, parent: str, purpose: str, agent_id: str) -> dict[str, Any]:
    if name == parent:
        _refuse_self_parent(ref, name)
    pk = ref.pk
    branch = new_branch(ref.project_id, name, parent=parent, purpose=purpose, agent_id=agent_id, now=utc_now())
    db = table()
    descriptor, *heads = branch_items(pk, branch)
    operations = [
        partition.touch_operation(ref, "ADD activeBranches :branch SET updatedAt = :now",
                                 {":branch": {name}, ":now": branch["createdAt"]}),
        db.check_op(pk, branch_sk(parent), "attribute_exists(PK)"),
        db.put_op(descriptor, "attribute_not_exists(PK)"),
        *[db.put_op(head) for head in heads],
    ]
    try:
        partition.transact(ref, operations)
    except TransactionCancelled as cancelled:
        if cancelled.failed(1):
            raise NotFound(f"parent branch '{parent}' not found", field="parentBranch") from cancelled
        if cancelled.failed(2):
            raise Conflict(f"branch '{name}' already exists", field="branchName") from cancelled
        raise
    return branch


def _refuse_self_parent(ref: ProjectRef, name: str) -> None:
    """A branch cannot fork from itself (and one transaction may not touch the item twice): 409 if
    it exists, else 404 for the missing parent (or project)."""
    try:
        get_at(ref, name)
    except NotFound as missing:
        if missing.field != "branchName":
            raise
        raise NotFound(f"parent branch '{name}' not found", field="parentBranch") from missing
    raise Conflict(f"branch '{name}' already exists", field="branchName")


def get(tenant: str, project_id: str, name: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: get_at(ref, name))


def get_at(ref: ProjectRef, name: str) -> dict[str, Any]:
    pk = ref.pk
    found = table().get_many([(pk, PROJECT_SK), (pk, branch_sk(name))])
    partition.require_live(found.get((pk, PROJECT_SK)), ref)
    descriptor = found.get((pk, branch_sk(name)))
    if descriptor is None:
        raise branch_not_found(name)
    return to_wire(descriptor)


def list_all(tenant: str, project_id: str) -> list[dict[str, Any]]:
    return projects.overview(tenant, project_id)[1]


def head_at(ref: ProjectRef, name: str, stream: str) -> dict[str, Any]:
    """The milestone or log head of a branch (consistent read); 404 naming what is missing."""
    sk = milestone_head_sk(name) if stream == "milestones" else log_head_sk(name)
    item = table().get(ref.pk, sk)
    if item is None:
        missing_head(ref, name)
    return item


def missing_head(ref: ProjectRef, name: str) -> NoReturn:
    """A head read strongly was not there: the project's 404 (``NotLive``) when that is what is missing,
    else the branch's."""
    partition.get_at(ref)
    raise branch_not_found(name)


def close_operations(ref: ProjectRef, name: str, status: str, extra: dict[str, Any],
                     expected_seq: int | None = None) -> list[dict[str, Any]]:
    """Marks descriptor and milestone head ``status``, only if still active (and, when given, only if
    no milestone landed since ``expected_seq`` was read)."""
    pk = ref.pk
    db = table()
    assignments = ", ".join(f"{field} = :{field}" for field in extra)
    update = f"SET #status = :closed, {assignments}"
    values = {":closed": status, ":active": ACTIVE, **{f":{k}": v for k, v in extra.items()}}
    head_condition = "#status = :active"
    head_values = dict(values)
    if expected_seq is not None:
        head_condition += " AND msSeq = :expected"
        head_values[":expected"] = expected_seq
    return [
        db.update_op(pk, milestone_head_sk(name), update, condition=head_condition, names=STATUS_NAMES,
                     values=head_values),
        db.update_op(pk, branch_sk(name), update, condition="#status = :active", names=STATUS_NAMES,
                     values=values),
    ]


def abandon(tenant: str, project_id: str, name: str, reason: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _abandon_at(ref, name, reason))


def _abandon_at(ref: ProjectRef, name: str, reason: str) -> dict[str, Any]:
    branch = get_at(ref, name)
    check_abandon(branch)
    now = utc_now()
    try:
        table().transact([
            *close_operations(ref, name, ABANDONED, {"abandonReason": reason, "closedAt": now}),
            partition.touch_operation(ref, "DELETE activeBranches :branch SET updatedAt = :now",
                                     {":branch": {name}, ":now": now}),
        ])
    except TransactionCancelled as cancelled:
        if cancelled.failed(2):
            raise partition.not_live(ref, cancelled, 2) from cancelled
        if cancelled.failed(0) or cancelled.failed(1):
            current = get_at(ref, name)
            raise Conflict(f"branch '{name}' is {current['status']}; abandon needs an active branch",
                           field="name") from cancelled
        raise
    return {**branch, "status": ABANDONED, "abandonReason": reason}


def delete_branch_items(ref: ProjectRef) -> None:
    """Deletes every branch's three items (when a project is deleted): one Query of the descriptors, then
    the heads and only after them the descriptors, so that a head never outlives its descriptor (a run cut
    short is completed by running it again, which finds the remaining descriptors)."""
    pk = ref.pk
    names = [item["branchName"] for item in table().query_all(pk, sk_prefix=BRANCHES_PREFIX,
                                                                projection="branchName")]
    if names:
        table().delete_keys([(pk, sk) for name in names for sk in (milestone_head_sk(name), log_head_sk(name))])
        table().delete_keys([(pk, branch_sk(name)) for name in names])

