"""Launch security (docs/task-engine.md, "Launch codes"): the Jira App mints a one-time launch code (with launcher
URLs) or a permit; the IDE exchanges the code for the permit."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from pydantic import Field, field_validator

from cairn.http.body import JSONRoute
from cairn.http.fields import RequestModel
from cairn.tasks.api.forge import JiraCaller, rotate
from cairn.tasks.domain.credentials import TASK_IDENTIFIER_PATTERN
from cairn.tasks.service import launch

router = APIRouter(prefix="/v1/security", route_class=JSONRoute, tags=["security"])

VSCODE_EXTENSION = "eprojac.seecodes-task-runner"
_DOCUMENT_MAX = 200_000  # characters of jiraContext / initialTaiDoc as JSON


class TaskBinding(RequestModel):
    projectId: str = Field(pattern=TASK_IDENTIFIER_PATTERN, description="Jira project id or key")
    taskId: str = Field(pattern=TASK_IDENTIFIER_PATTERN, description="Jira issue key")


class PermitRequest(TaskBinding):
    userAccountId: str | None = Field(default=None, max_length=200)
    cloudIdHint: str | None = Field(default=None, max_length=500)
    siteUrlHint: str | None = Field(default=None, max_length=500)


class LinkRequest(PermitRequest):
    expirationDays: int | None = Field(default=None, ge=1, le=14)
    jiraContext: dict[str, Any] | None = None
    initialTaiDoc: dict[str, Any] | None = None

    @field_validator("jiraContext", "initialTaiDoc")
    @classmethod
    def _bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        import json

        if value is not None and len(json.dumps(value)) > _DOCUMENT_MAX:
            raise ValueError(f"at most {_DOCUMENT_MAX} characters as JSON")
        return value


class ExchangeRequest(TaskBinding):
    code: str = Field(min_length=1, max_length=200)


def vscode_url(project_id: str, task_id: str, code: str, extra: dict[str, str] | None = None) -> str:
    query = urlencode({"code": code, **(extra or {})})
    return f"vscode://{VSCODE_EXTENSION}/project/{quote(project_id, safe='')}/task/{quote(task_id, safe='')}?{query}"


@router.post("/vscode-link")
def vscode_link(body: LinkRequest, jira: JiraCaller, request: Request, response: Response) -> dict[str, Any]:
    caller = rotate(jira, response)
    minted = launch.mint_code(caller, body.projectId, body.taskId, expiration_days=body.expirationDays,
                              user_account_id=body.userAccountId, jira_context=body.jiraContext,
                              initial_tai=body.initialTaiDoc)
    base = str(request.base_url).rstrip("/")
    https_url = f"{base}/v1/launch?{urlencode({'p': body.projectId, 't': body.taskId, 'c': minted.code})}"
    return {"ok": True, "launchCode": minted.code, "vscodeUrl": vscode_url(body.projectId, body.taskId, minted.code),
            "httpsUrl": https_url, "expiresAt": minted.expires_at}


@router.post("/task-permit")
def task_permit(body: PermitRequest, jira: JiraCaller, response: Response) -> dict[str, Any]:
    caller = rotate(jira, response)
    return _permit_reply(launch.direct_permit(caller, body.projectId, body.taskId))


@router.post("/launch-exchange")
def launch_exchange(body: ExchangeRequest) -> dict[str, Any]:
    return _permit_reply(launch.exchange(body.code, body.projectId, body.taskId))


def _permit_reply(permit: launch.ExchangedPermit) -> dict[str, Any]:
    return {"ok": True, "cloudId": permit.cloud_id, "projectId": permit.project_id, "taskId": permit.task_id,
            "permit": permit.permit, "expiresAt": permit.expires_at}
