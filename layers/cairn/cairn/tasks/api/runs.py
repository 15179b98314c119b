"""Task runs (docs/task-engine.md, "Runs"): init, start, status, output and logs, each behind a task permit whose
project/task binding must be the run's exactly."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from pydantic import Field

from cairn.http.body import JSONRoute
from cairn.http.fields import RequestModel
from cairn.tasks.api.permits import Permit, TaskPermit
from cairn.tasks.service import runs

router = APIRouter(prefix="/v1/tasks", route_class=JSONRoute, tags=["tasks"])


class InitRun(RequestModel):
    model: str | None = Field(default=None, description="A model id of GET /v1/models (the catalog's default).")
    files: list[str] | None = Field(default=None, description='Upload names; ["list.md"] when absent.')


class StartRun(RequestModel):
    model: str | None = Field(default=None, description="Overrides the model chosen at init.")
    userPrompt: str | None = None


def _run(permit: Permit, run_id: str) -> dict[str, Any]:
    """The permit's installation's run, only if it is bound to the permit's project and task."""
    run = runs.load(permit.installation, run_id)
    permit.require(project_id=run["projectId"], task_id=run["taskId"])
    return run


# Every field of both bodies is optional, so is the body: an empty request means the defaults.
@router.post("/init")
def init_run(permit: TaskPermit, body: InitRun | None = None) -> dict[str, Any]:
    body = body or InitRun()
    return runs.init(permit.installation, permit.project_id, permit.task_id, body.model, body.files)


@router.post("/{runId}/start")
def start_run(runId: str, permit: TaskPermit, body: StartRun | None = None) -> dict[str, Any]:  # noqa: N803
    body = body or StartRun()
    return runs.start(permit.installation, _run(permit, runId), body.model, body.userPrompt)


@router.get("/{runId}")
def run_status(runId: str, permit: TaskPermit) -> dict[str, Any]:  # noqa: N803
    return runs.status(permit.installation, _run(permit, runId))


@router.get("/{runId}/output", response_class=PlainTextResponse)
def run_output(runId: str, permit: TaskPermit) -> PlainTextResponse:  # noqa: N803
    return PlainTextResponse(runs.output(permit.installation, _run(permit, runId)))


@router.get("/{runId}/logs", response_class=PlainTextResponse)
def run_logs(runId: str, permit: TaskPermit) -> PlainTextResponse:  # noqa: N803
    return PlainTextResponse(runs.logs(permit.installation, _run(permit, runId)))
