"""Purging a deleted project generation: the state machine that does it, and each of its pages (the
project is hidden at once and its branches removed by ``cairn.memory.service.projects.delete``).

Each purge removes exactly one project generation (its partition and its blob prefix,
docs/memory-model.md "Delete and recreate"), so a project recreated while the old generation is
purged never loses anything to that purge.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from cairn.aws import blobs, partition, workflows
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.partition import LATEST
from cairn.aws.table import ConditionFailed, table
from cairn.core.settings import get_settings

PAGE_ITEMS = 1000
# What the anchor (generation 0's PROJECT item) keeps once its own generation is purged.
_ANCHOR_DROPS = ("#name", "roadmap", "milestoneCount", "activeBranches", "createdAt")


def start_purge(tenant: str, project_id: str, generation: int = 0) -> str:
    """Starts the purge of one generation (the ``generation`` attribute of its PROJECT item; 0 when absent)."""
    return workflows.start(tenant, "project_purge", {"projectId": project_id}, get_settings().purge_state_machine_arn,
                           f"purge-{uuid.uuid4().hex}",
                           {"tenantId": tenant, "projectId": project_id, "generation": generation})


def purge_page(tenant: str, project_id: str, generation: int = 0, execution: str | None = None) -> dict[str, Any]:
    """Deletes up to ``PAGE_ITEMS`` items and as many blobs of one generation; when none are left, its
    tombstone (generation 0's becomes the slim anchor when the project was recreated), and then the purge's
    workflow execution record (``execution``, when named) settles ``succeeded``.

    Returns ``done`` for the state machine's loop. Safe to repeat: every step is a delete.
    """
    ref = ProjectRef(tenant, project_id, generation)
    db = table()
    page = db.query(ref.pk, limit=PAGE_ITEMS + 1, projection="PK, SK")
    keys = [(item["PK"], item["SK"]) for item in page.items if item["SK"] != PROJECT_SK]
    deleted_items = db.delete_keys(keys[:PAGE_ITEMS])
    deleted_blobs = blobs.delete_prefix_page(ref.blob_prefix, max_keys=PAGE_ITEMS)
    done = deleted_items == 0 and deleted_blobs == 0
    if done:
        _retire(ref)
        if execution:
            workflows.settle(tenant, execution, "succeeded")
    # The result is the state machine's next input: it names the generation (left out for 0, as before
    # generations existed, which is also what an input without one means).
    return {"tenantId": tenant, "projectId": project_id, **({"generation": generation} if generation else {}),
            "done": done, "deletedItems": deleted_items, "deletedBlobs": deleted_blobs}


def _retire(ref: ProjectRef) -> None:
    """Removes the tombstone. A failed condition means an earlier run of this step did it: complete
    either way. Generation 0's item is kept as the anchor when a later generation exists."""
    names = {**partition.LIVE_NAMES, "#latest": LATEST}
    values = {":deleting": partition.DELETING}
    condition = "#lifecycle = :deleting" + (" AND attribute_not_exists(#latest)" if ref.generation == 0 else "")
    try:
        table().delete(ref.pk, PROJECT_SK, condition=condition,
                       names=names if ref.generation == 0 else partition.LIVE_NAMES, values=values)
        return
    except ConditionFailed:
        if ref.generation != 0:
            return
    with contextlib.suppress(ConditionFailed):
        table().update(ref.pk, PROJECT_SK, f"SET #lifecycle = :moved REMOVE {', '.join(_ANCHOR_DROPS)}",
                       condition="#lifecycle = :deleting AND attribute_exists(#latest)",
                       names={**names, "#name": "name"}, values={**values, ":moved": partition.MOVED})
