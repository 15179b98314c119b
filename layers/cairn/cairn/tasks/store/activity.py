"""Activity snapshots: one item per window, in the project's partition sorted by window end (the board filtered by
project), and in GSI1 under the installation sorted the same way (the board of every project). Both are date-range
Queries: the board never scans."""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import table

ACTIVITY = declare(Entity("activity snapshot", pk="T#{t}#ACT#{projectId}", sk="{windowEndedAt}#{taskId}#{id}"))
INDEX = "GSI1"
# The board reads at most this many snapshots of a range (newest first), and says when it stopped there.
MAX_ITEMS = 5000


def project_pk(installation: str, project_id: str) -> str:
    return f"T#{escape(installation)}#ACT#{escape(project_id)}"


def installation_pk(installation: str) -> str:
    return f"T#{escape(installation)}#ACT"


def put(installation: str, snapshot: dict[str, Any], snapshot_id: str) -> None:
    ended, project, task = snapshot["windowEndedAt"], snapshot["projectId"], snapshot["taskId"]
    table().put({"PK": project_pk(installation, project), "SK": f"{ended}#{escape(task)}#{snapshot_id}",
                 "GSI1PK": installation_pk(installation),
                 "GSI1SK": f"{ended}#{escape(project)}#{escape(task)}#{snapshot_id}",
                 "entity": ACTIVITY.name, **snapshot})


def between(installation: str, project_id: str | None, start: str, end: str) -> list[dict[str, Any]]:
    """Snapshots whose window ended in [start, end] (instants as stored), newest first, at most MAX_ITEMS."""
    bounds = (start, end + "~")  # "~" sorts after every key suffix of an instant equal to ``end``
    if project_id is None:
        items = table().query_all(installation_pk(installation), index=INDEX, sk_between=bounds, forward=False,
                                  limit=MAX_ITEMS)
    else:
        items = table().query_all(project_pk(installation, project_id), sk_between=bounds, forward=False,
                                  limit=MAX_ITEMS)
    return list(items)
