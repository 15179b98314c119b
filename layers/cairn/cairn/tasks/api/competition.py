"""``GET /v1/jira/team-competition``: the retrospective board of an installation (docs/task-engine.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from cairn.core.errors import InvalidInput
from cairn.http.body import JSONRoute
from cairn.tasks.api.forge import JiraCaller, rotate
from cairn.tasks.domain.credentials import TASK_IDENTIFIER_PATTERN
from cairn.tasks.service import activity

router = APIRouter(route_class=JSONRoute, tags=["telemetry"])


def _moment(value: str | None, field: str, end_of_day: bool) -> datetime | None:
    """A date (``2026-04-01``: the whole day) or an ISO 8601 instant with its offset."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD) or an ISO 8601 instant", field=field) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} needs a time zone offset (or Z)", field=field)
    return moment


@router.get("/v1/jira/team-competition")
def team_competition(jira: JiraCaller, response: Response,
                     projectId: Annotated[str | None, Query(pattern=TASK_IDENTIFIER_PATTERN)] = None,  # noqa: N803
                     startDate: Annotated[str | None, Query(max_length=40)] = None,  # noqa: N803
                     endDate: Annotated[str | None, Query(max_length=40)] = None,  # noqa: N803
                     cloudIdHint: str | None = None, siteUrlHint: str | None = None) -> dict[str, Any]:  # noqa: N803
    start = _moment(startDate, "startDate", end_of_day=False)
    end = _moment(endDate, "endDate", end_of_day=True)
    caller = rotate(jira, response)
    return activity.board(caller.installation_id, projectId, start, end)
