"""Branch items. Each branch is three items, written and closed together in transactions:

- the descriptor ``PROJECT#BRANCH#{name}`` (sorts beside the project: overview is one Query),
- the milestone head ``MS#{name}`` (status and milestone counter, sorts before its milestones),
- the log head ``LOG#{name}`` (log counter, sorts before its log entries).

Between the milestone head and its first milestone sort up to ``HIGHLIGHTS`` log highlights (copies of the newest
log entries, written by each append); a head created since they exist says so (``HIGHLIGHTED``).
"""

from __future__ import annotations

from typing import Any, Literal, NoReturn

from cairn.aws import partition
from cairn.aws.entity import update_expression
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import table
from cairn.core.errors import NotFound
from cairn.memory.domain.branches import ACTIVE
from cairn.memory.store.entities import BRANCH, LOG_HEAD, MILESTONE_HEAD
from cairn.memory.store.keys import BRANCHES_PREFIX, branch_sk, log_head_sk, milestone_head_sk

Stream = Literal["milestones", "logs"]
STATUS_NAMES = {"#status": "status"}
HEAD_COUNTER: dict[Stream, str] = {"milestones": "msSeq", "logs": "logSeq"}
# On a milestone head: every log append of the branch wrote a highlight (the branch was created since they exist).
HIGHLIGHTED = "logHighlights"


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
    return BRANCH.to_wire(item)


def head_to_wire(head: dict[str, Any]) -> dict[str, Any]:
    """A milestone head as the branch it heads (it carries the descriptor's fields)."""
    return MILESTONE_HEAD.to_wire(head)


def branch_items(pk: str, branch: dict[str, Any]) -> list[dict[str, Any]]:
    """Descriptor, milestone head and log head of a new branch."""
    name = branch["branchName"]
    highlighted = {HIGHLIGHTED: True}
    return [
        {"PK": pk, "SK": branch_sk(name), "entity": BRANCH.name, **branch},
        {"PK": pk, "SK": milestone_head_sk(name), "entity": MILESTONE_HEAD.name, **branch, "msSeq": 0, **highlighted},
        {"PK": pk, "SK": log_head_sk(name), "entity": LOG_HEAD.name, "branchName": name, "logSeq": 0},
    ]


def create_operations(ref: ProjectRef, branch: dict[str, Any], parent: str) -> list[dict[str, Any]]:
    """The project's ``activeBranches`` (index 0, proves it live), the parent exists (1), the descriptor is
    new (2), then the heads."""
    name = branch["branchName"]
    db = table()
    descriptor, *heads = branch_items(ref.pk, branch)
    return [
        partition.touch_operation(ref, "ADD activeBranches :branch SET updatedAt = :now",
                                  {":branch": {name}, ":now": branch["createdAt"]}),
        db.check_op(ref.pk, branch_sk(parent), "attribute_exists(PK)"),
        db.put_op(descriptor, "attribute_not_exists(PK)"),
        *[db.put_op(head) for head in heads],
    ]


def branch_not_found(name: str) -> NotFound:
    return NotFound(f"branch '{name}' not found", field="branchName")


def get_at(ref: ProjectRef, name: str) -> dict[str, Any]:
    """The branch (wire shape), read with the project in one BatchGetItem; 404 for either missing."""
    pk = ref.pk
    found = table().get_many([(pk, PROJECT_SK), (pk, branch_sk(name))])
    partition.require_live(found.get((pk, PROJECT_SK)), ref)
    descriptor = found.get((pk, branch_sk(name)))
    if descriptor is None:
        raise branch_not_found(name)
    return to_wire(descriptor)


def head_sk(stream: Stream, name: str) -> str:
    return milestone_head_sk(name) if stream == "milestones" else log_head_sk(name)


def head_at(ref: ProjectRef, name: str, stream: Stream) -> dict[str, Any]:
    """The milestone or log head of a branch (consistent read); 404 naming what is missing."""
    item = table().get(ref.pk, head_sk(stream, name))
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
    """Marks milestone head (index 0) and descriptor (1) ``status``, only if still active (and, when given,
    only if no milestone landed since ``expected_seq`` was read)."""
    update, names, values = update_expression({"status": status, **extra})
    names = {**names, **STATUS_NAMES}
    values = {**values, ":active": ACTIVE}
    head_condition = "#status = :active"
    head_values = dict(values)
    if expected_seq is not None:
        head_condition += " AND msSeq = :expected"
        head_values[":expected"] = expected_seq
    db = table()
    return [
        db.update_op(ref.pk, milestone_head_sk(name), update, condition=head_condition, names=names,
                     values=head_values),
        db.update_op(ref.pk, branch_sk(name), update, condition="#status = :active", names=names, values=values),
    ]


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
