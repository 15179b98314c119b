"""Jira-side installation routes (docs/task-engine.md): the request-key handshake, the installation's state, the
metrics the Jira App reports, and the telemetry route that stays disabled."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from cairn.core.errors import Gone
from cairn.http.body import JSONRoute
from cairn.http.fields import RequestModel
from cairn.tasks.api.forge import ForgeCaller, JiraCaller, rotate
from cairn.tasks.service import installations, request_keys

router = APIRouter(route_class=JSONRoute, tags=["instances"])

TELEMETRY_DISABLED = ("Direct VS Code telemetry ingestion is disabled until an authenticated sender contract with "
                      "replay protection and rate limits is finalized.")


class InstanceMetrics(RequestModel):
    installedUsersCount: int | None = Field(default=None, ge=0, le=10_000_000)
    source: str | None = Field(default=None, max_length=200)


@router.post("/v1/jira/request-key")
def issue_request_key(caller: ForgeCaller, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Registers the installation on its first call, then issues its principal's current request key."""
    installations.register(caller)
    issued = request_keys.issue(caller.installation_id, caller.principal)
    return {"ok": True, "requestKey": issued.key, "expiresAt": issued.expires_at}


@router.get("/v1/instances/me")
def read_installation(jira: JiraCaller, response: Response, cloudIdHint: str | None = None,  # noqa: N803
                      siteUrlHint: str | None = None) -> dict[str, Any]:  # noqa: N803 - the spec's names
    caller = rotate(jira, response)
    return {"ok": True, **installations.state(caller)}


@router.post("/v1/jira/instance-metrics")
def report_metrics(body: InstanceMetrics, jira: JiraCaller, response: Response) -> dict[str, Any]:
    caller = rotate(jira, response)
    installations.report_metrics(caller, body.model_dump(exclude_none=True))
    return {"ok": True}


@router.post("/v1/jira/telemetry/events", responses={410: {
    "description": "Always: the route is disabled", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/DetailBody"}}}}})
def telemetry_events() -> dict[str, Any]:
    raise Gone(TELEMETRY_DISABLED)
