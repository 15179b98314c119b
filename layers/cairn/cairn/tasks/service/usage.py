"""Usage analytics (``GET /v1/jira/usage``): one row per started run, newest first, with the credits it cost
(net of a refund), and the installation's available credits (docs/task-engine.md, "Usage")."""

from __future__ import annotations

from typing import Any

from cairn.tasks.service import credits
from cairn.tasks.store import runs as store

USAGE_ROWS = 100


def _row(run: dict[str, Any]) -> dict[str, Any]:
    charged = int(run.get("credits") or 0)
    return {"timestamp": run["startedAt"], "type": "task_run", "taskId": run["taskId"],
            "credits": 0 if run.get("refunded") else charged, "projectId": run["projectId"], "runId": run["runId"],
            "model": run["model"], "status": run["status"]}


def usage(installation: str) -> dict[str, Any]:
    rows = [_row(run) for run in store.usage_page(installation, USAGE_ROWS)]
    return {"ok": True, "items": rows, "availableCredits": credits.available(installation)}
