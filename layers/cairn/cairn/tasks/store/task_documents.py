"""What the Jira App and the IDE store about one Jira task of an installation: the context saved with a launch
link (``CONTEXT``) and the progress document (``PROGRESS``), two items of the task's partition."""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import table

CONTEXT_SK = "CONTEXT"
PROGRESS_SK = "PROGRESS"
TASK_CONTEXT = declare(Entity("task context", pk="T#{t}#TASK#{projectId}#{taskId}", sk=CONTEXT_SK))
TASK_PROGRESS = declare(Entity("task progress", pk="T#{t}#TASK#{projectId}#{taskId}", sk=PROGRESS_SK,
                               wire=("updatedAt", "ready", "left", "progress", "confidence", "risks", "logs")))


def task_pk(installation: str, project_id: str, task_id: str) -> str:
    return f"T#{escape(installation)}#TASK#{escape(project_id)}#{escape(task_id)}"


def item(installation: str, project_id: str, task_id: str, sk: str, document: dict[str, Any]) -> dict[str, Any]:
    entity = TASK_CONTEXT if sk == CONTEXT_SK else TASK_PROGRESS
    return {"PK": task_pk(installation, project_id, task_id), "SK": sk, "entity": entity.name, **document}


def put(installation: str, project_id: str, task_id: str, sk: str, document: dict[str, Any]) -> None:
    table().put(item(installation, project_id, task_id, sk, document))


def get(installation: str, project_id: str, task_id: str, sk: str) -> dict[str, Any] | None:
    return table().get(task_pk(installation, project_id, task_id), sk)
