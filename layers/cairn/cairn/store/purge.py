"""Deleting a project: hide it at once, then remove its items and blobs page by page."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from cairn.settings import get_settings
from cairn.store import blobs, branches, clients, projects
from cairn.store.keys import PROJECT_SK, blob_prefix, project_pk
from cairn.store.table import ConditionFailed, table

PAGE_ITEMS = 1000


def delete_project(tenant: str, project_id: str) -> str:
    """Marks the project deleting and removes its branches, so every route answers 404 at once,
    then starts the purge state machine. Returns the execution ARN."""
    projects.mark_deleting(tenant, project_id)
    try:
        execution_arn = start_purge(tenant, project_id)
    except Exception:
        projects.unmark_deleting(tenant, project_id)  # leave nothing half-deleted
        raise
    table().delete_keys(branches.descriptor_keys(tenant, project_id))
    return execution_arn


def start_purge(tenant: str, project_id: str) -> str:
    response = clients.stepfunctions().start_execution(
        stateMachineArn=get_settings().purge_state_machine_arn,
        name=f"purge-{uuid.uuid4().hex}",
        input=json.dumps({"tenantId": tenant, "projectId": project_id}),
    )
    return response["executionArn"]


def purge_page(tenant: str, project_id: str) -> dict[str, Any]:
    """Deletes up to ``PAGE_ITEMS`` items and as many blobs; when none are left, the tombstone.

    Returns ``done`` for the state machine's loop. Safe to repeat: every step is a delete.
    """
    pk = project_pk(tenant, project_id)
    db = table()
    page = db.query(pk, limit=PAGE_ITEMS + 1, projection="PK, SK")
    keys = [(item["PK"], item["SK"]) for item in page.items if item["SK"] != PROJECT_SK]
    deleted_items = db.delete_keys(keys[:PAGE_ITEMS])
    deleted_blobs = blobs.delete_prefix_page(blob_prefix(tenant, project_id), max_keys=PAGE_ITEMS)
    done = deleted_items == 0 and deleted_blobs == 0
    if done:
        # A failed condition means an earlier run of this step removed it: complete either way.
        with contextlib.suppress(ConditionFailed):
            db.delete(pk, PROJECT_SK, condition="#lifecycle = :deleting", names=projects.LIVE_NAMES,
                      values={":deleting": projects.DELETING})
    return {"tenantId": tenant, "projectId": project_id, "done": done, "deletedItems": deleted_items,
            "deletedBlobs": deleted_blobs}
