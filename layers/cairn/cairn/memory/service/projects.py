"""Projects: create (or create again after a delete), read, list, overview, roadmap, delete.

A project id may have several generations (docs/memory-model.md, "Delete and recreate"): each use case
resolves the live one (``partition.resolved``) and runs the store's ``_at`` functions there.
"""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.aws.outbox import outbox_operation
from cairn.aws.partition import LATEST, NotLive, is_live, ref_of
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core.errors import Conflict
from cairn.memory.store import branches, projects, purge

# Racing creates of the same id retry this often before answering 409.
CREATE_ATTEMPTS = 5


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
    try:
        project = _create_at(ref, name, roadmap, projects.recreate_operations(anchor, latest))
    except TransactionCancelled as cancelled:
        if latest and cancelled.failed(1):
            raise _exists(anchor.project_id) from cancelled
        if cancelled.failed(0) or cancelled.conflicting:
            return None
        raise
    # The previous generation can no longer come back (``unmark_deleting`` checks the anchor), so the
    # branch items a DELETE cut short may have left can go: no read of the old generation finds a head.
    branches.delete_branch_items(previous)
    return project


def _create_at(ref: ProjectRef, name: str, roadmap: str, leading: list[dict[str, Any]]) -> dict[str, Any]:
    """One transaction: ``leading`` operations, then the PROJECT item (index ``len(leading)``, which must
    not exist) and ``main``'s three items."""
    project = projects.new_project(ref, name, roadmap)
    table().transact([*leading, *projects.create_operations(ref, project),
                      outbox_operation(ref.tenant, "project.created", {"projectId": ref.project_id})])
    partition.remember(ref)
    return projects.to_wire(project)


# --- read ---------------------------------------------------------------------------------------------------


def get(tenant: str, project_id: str) -> dict[str, Any]:
    """The live ``PROJECT`` item (every attribute; ``to_wire`` for the wire)."""
    return partition.resolved(tenant, project_id, partition.get_at)


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return projects.to_wire(item)


def list_all(tenant: str) -> list[dict[str, Any]]:
    return [projects.to_wire(item) for item in projects.listed(tenant)]


def list_refs(tenant: str) -> list[ProjectRef]:
    """The listed projects, each at the generation its listing entry names (for searches across them)."""
    return [ref_of(item) for item in projects.listed(tenant)]


def overview(tenant: str, project_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``PROJECT`` item and every branch (wire shape), in one Query."""
    return partition.resolved(tenant, project_id, projects.overview_at)


# --- write --------------------------------------------------------------------------------------------------


def update_roadmap(tenant: str, project_id: str, roadmap: str) -> dict[str, Any]:
    def update_at(ref: ProjectRef) -> dict[str, Any]:
        try:
            return projects.update_roadmap_at(ref, roadmap)
        except ConditionFailed as failed:
            raise NotLive(ref, failed.item) from failed

    return partition.resolved(tenant, project_id, update_at)


def delete(tenant: str, project_id: str) -> str:
    """Marks the project's live generation deleting and removes its branches, so every route answers 404
    at once, then starts the purge state machine for that generation. Returns the execution ARN."""
    return partition.resolved(tenant, project_id, _delete_at)


def _delete_at(ref: ProjectRef) -> str:
    _mark_deleting_at(ref)
    try:
        execution_arn = purge.start_purge(ref.tenant, ref.project_id, ref.generation)
    except Exception:
        projects.unmark_deleting(ref)  # leave nothing half-deleted
        raise
    branches.delete_branch_items(ref)
    return execution_arn


def mark_deleting(tenant: str, project_id: str) -> ProjectRef:
    """DELETE's first step alone: hides the live generation at once (out of the listing, 404 everywhere)
    and returns it."""
    return partition.resolved(tenant, project_id, _mark_deleting_at)


def _mark_deleting_at(ref: ProjectRef) -> ProjectRef:
    try:
        projects.mark_deleting_at(ref)
    except ConditionFailed as failed:
        raise NotLive(ref, failed.item) from failed
    return ref
