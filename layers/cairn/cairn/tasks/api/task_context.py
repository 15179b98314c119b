"""Permit routes of one Jira task (docs/task-engine.md): its stored context and its progress document (which the
Jira App also reads, with its Forge token and request key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, Field

from cairn.http.auth import register_credential_check
from cairn.http.body import JSONRoute
from cairn.http.fields import RequestModel
from cairn.tasks.api.forge import REQUEST_KEY_HEADER, JiraRequest, forge_caller, rotate
from cairn.tasks.api.permits import TaskPermit, bearer
from cairn.tasks.domain import activity as rules
from cairn.tasks.domain.credentials import TASK_IDENTIFIER_PATTERN
from cairn.tasks.service import activity, launch, permits, progress

router = APIRouter(prefix="/v1/tasks", route_class=JSONRoute, tags=["tasks"])

_Line = Annotated[str, Field(max_length=2000)]
_Lines = Annotated[list[_Line], Field(max_length=200)]
_TaskId = Annotated[str, Path(pattern=TASK_IDENTIFIER_PATTERN)]


_Count = Annotated[int, Field(ge=0, le=100_000_000)]


class ActivitySnapshot(RequestModel):
    windowStartedAt: AwareDatetime
    windowEndedAt: AwareDatetime
    taskStartedAt: AwareDatetime | None = None
    taskAgeMinutes: _Count | None = None
    humanActiveMs: _Count = 0
    locAdded: _Count | None = None
    locRemoved: _Count | None = None
    locTotal: _Count | None = None
    changedFiles: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=1000)] = []
    changedFilesCount: _Count | None = None
    architectureChange: bool = False
    logicChange: bool = False
    specificationUiChange: bool = False


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


@router.post("/activity-snapshot")
def activity_snapshot(body: ActivitySnapshot, permit: TaskPermit) -> dict[str, Any]:
    signals = rules.Signals(
        human_active_ms=body.humanActiveMs,
        loc_changed=rules.loc_changed(body.locAdded, body.locRemoved, body.locTotal),
        changed_files=len(body.changedFiles) if body.changedFilesCount is None else body.changedFilesCount,
        architecture_change=body.architectureChange, logic_change=body.logicChange,
        specification_ui_change=body.specificationUiChange)
    fields = body.model_dump(mode="json", exclude_none=True, exclude={"windowStartedAt", "windowEndedAt"})
    return activity.record(permit, activity.Snapshot(body.windowStartedAt, body.windowEndedAt, fields, signals))
