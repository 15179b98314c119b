"""Usage analytics for the Jira App (``GET /v1/jira/usage``, docs/task-engine.md "Usage"): Forge token plus the
current request key, which a valid request consumes and rotates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from cairn.http.body import JSONRoute
from cairn.tasks.api.forge import JiraCaller, rotate
from cairn.tasks.service import usage

router = APIRouter(route_class=JSONRoute, tags=["telemetry"])


@router.get("/v1/jira/usage")
def read_usage(jira: JiraCaller, response: Response, cloudIdHint: str | None = None) -> dict[str, Any]:  # noqa: N803
    """``cloudIdHint`` is accepted as the spec publishes it; the installation is the Forge token's."""
    return usage.usage(rotate(jira, response).installation_id)
