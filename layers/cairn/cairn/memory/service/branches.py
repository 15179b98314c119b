"""Branches (GCC BRANCH): create, read, list, abandon."""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.aws.outbox import outbox_operation
from cairn.aws.table import TransactionCancelled, table
from cairn.core.clock import utc_now
from cairn.core.errors import Conflict, NotFound
from cairn.memory.domain.branches import ABANDONED, DEFAULT_BRANCH, check_abandon
from cairn.memory.store import branches, projects

__all__ = ["DEFAULT_BRANCH", "abandon", "create", "get", "list_all"]


def create(tenant: str, project_id: str, name: str, parent: str, purpose: str, agent_id: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _create_at(ref, name, parent, purpose, agent_id))


def _create_at(ref: ProjectRef, name: str, parent: str, purpose: str, agent_id: str) -> dict[str, Any]:
    if name == parent:
        _refuse_self_parent(ref, name)
    branch = branches.new_branch(ref.project_id, name, parent=parent, purpose=purpose, agent_id=agent_id,
                                 now=utc_now())
    try:
        partition.transact(ref, [*branches.create_operations(ref, branch, parent), outbox_operation(
            ref.tenant, "branch.created", {"projectId": ref.project_id, "branch": name, "parentBranch": parent})])
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
        branches.get_at(ref, name)
    except NotFound as missing:
        if missing.field != "branchName":
            raise
        raise NotFound(f"parent branch '{name}' not found", field="parentBranch") from missing
    raise Conflict(f"branch '{name}' already exists", field="branchName")


def get(tenant: str, project_id: str, name: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: branches.get_at(ref, name))


def list_all(tenant: str, project_id: str) -> list[dict[str, Any]]:
    """Every branch, read with the project in one Query."""
    return partition.resolved(tenant, project_id, projects.overview_at)[1]


def abandon(tenant: str, project_id: str, name: str, reason: str) -> dict[str, Any]:
    return partition.resolved(tenant, project_id, lambda ref: _abandon_at(ref, name, reason))


def _abandon_at(ref: ProjectRef, name: str, reason: str) -> dict[str, Any]:
    branch = branches.get_at(ref, name)
    check_abandon(branch)
    now = utc_now()
    try:
        table().transact([
            *branches.close_operations(ref, name, ABANDONED, {"abandonReason": reason, "closedAt": now}),
            partition.touch_operation(ref, "DELETE activeBranches :branch SET updatedAt = :now",
                                      {":branch": {name}, ":now": now}),
            outbox_operation(ref.tenant, "branch.abandoned", {"projectId": ref.project_id, "branch": name}),
        ])
    except TransactionCancelled as cancelled:
        if cancelled.failed(2):
            raise partition.not_live(ref, cancelled, 2) from cancelled
        if cancelled.failed(0) or cancelled.failed(1):
            current = branches.get_at(ref, name)
            raise Conflict(f"branch '{name}' is {current['status']}; abandon needs an active branch",
                           field="name") from cancelled
        raise
    return {**branch, "status": ABANDONED, "abandonReason": reason}
