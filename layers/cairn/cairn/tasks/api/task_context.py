"""Permit routes of one Jira task (docs/task-engine.md): its stored context and its progress document (which the
Jira App also reads, with its Forge token and request key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from cairn.http.auth import register_credential_check
from cairn.http.body import JSONRoute
from cairn.http.fields import RequestModel
from cairn.tasks.api.forge import REQUEST_KEY_HEADER, JiraRequest, forge_caller, rotate
from cairn.tasks.api.permits import TaskPermit, bearer
from cairn.tasks.domain.credentials import TASK_IDENTIFIER_PATTERN
from cairn.tasks.service import launch, permits, progress

router = APIRouter(prefix="/v1/tasks", route_class=JSONRoute, tags=["tasks"])

_Line = Annotated[str, Field(max_length=2000)]
_Lines = Annotated[list[_Line], Field(max_length=200)]
_TaskId = Annotated[str, Path(pattern=TASK_IDENTIFIER_PATTERN)]


class Progress(RequestModel):
    ready: _Lines = []
    left: _Lines = []
    progress: str | None = Field(default=None, max_length=50)
    confidence: str | None = Field(default=None, max_length=50)
    risks: _Lines = []
    logs: _Lines = []


@router.get("/context", response_model=None)
def task_context(permit: TaskPermit) -> dict[str, Any] | JSONResponse:
    stored = launch.task_context(permit)
    if stored is None:  # the spec's answer when the Jira App saved no context with the task
        return JSONResponse({"ok": False, "error": "Context not found"}, status_code=404)
    return {"ok": True, "context": stored.get("context"), "initialTai": stored.get("initialTai")}


@router.post("/{taskId}/progress")
def save_progress(taskId: _TaskId, body: Progress, permit: TaskPermit) -> dict[str, Any]:  # noqa: N803
    permit.require(task_id=taskId)
    progress.save(permit.installation, permit.project_id, taskId, body.model_dump(exclude_none=True))
    return {"ok": True}


def _progress_reader(request: Request) -> JiraRequest | permits.Permit:
    """With ``X-SeeCodes-Jira-Request-Key`` the caller is the Jira App (Forge token), otherwise a permit holder."""
    if REQUEST_KEY_HEADER.lower() in request.headers:
        return JiraRequest(forge_caller(request), request.headers[REQUEST_KEY_HEADER])
    return permits.verify(bearer(request))


register_credential_check(_progress_reader)


@router.get("/{taskId}/progress")
def read_progress(taskId: _TaskId, response: Response,  # noqa: N803 - the spec's names
                  projectId: Annotated[str, Query(pattern=TASK_IDENTIFIER_PATTERN)],  # noqa: N803
                  reader: Annotated[JiraRequest | permits.Permit, Depends(_progress_reader)],
                  cloudIdHint: str | None = None) -> dict[str, Any]:  # noqa: N803
    """A permit must be bound to exactly the query's project and the path's task; the Jira App reads any task of
    its installation."""
    if isinstance(reader, JiraRequest):
        installation = rotate(reader, response).installation_id
    else:
        reader.require(project_id=projectId, task_id=taskId)
        installation = reader.installation
    return {"ok": True, "progress": progress.read(installation, projectId, taskId)}
