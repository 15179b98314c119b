"""Append to the OTA log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.memory.api.models import AppendLog
from cairn.memory.api.responses import LogEntry
from cairn.memory.service import logs

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)


@router.post("/log", response_model=LogEntry, response_model_exclude_unset=True)
def append_log(project_id: ProjectIdPath, body: AppendLog, once: Idempotent) -> Any:
    return once(body, lambda: logs.append(once.tenant, project_id, body.branchName, body.agentId, body.phase,
                                          body.content))
