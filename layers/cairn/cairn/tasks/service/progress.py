"""Issue-level progress documents (docs/task-engine.md, "Progress"): written by the IDE under its permit, read by
the IDE or the Jira App."""

from __future__ import annotations

from typing import Any

from cairn.core import clock
from cairn.tasks.store import task_documents


def save(installation: str, project_id: str, task_id: str, document: dict[str, Any]) -> None:
    task_documents.put(installation, project_id, task_id, task_documents.PROGRESS_SK,
                       {**document, "updatedAt": clock.timestamp(clock.now())})


def read(installation: str, project_id: str, task_id: str) -> dict[str, Any] | None:
    item = task_documents.get(installation, project_id, task_id, task_documents.PROGRESS_SK)
    return task_documents.TASK_PROGRESS.to_wire(item) if item else None
