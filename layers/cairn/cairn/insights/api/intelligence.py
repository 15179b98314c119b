"""/api/v1/memory/intelligence: query (a cited answer over the memory) and action (Jira, Slack).

See docs/intelligence.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from cairn.core.errors import UnknownAction
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.insights.api.intelligence_models import (
    TIME_RANGE_DAYS,
    ActionParams,
    IntelligenceAction,
    IntelligenceQuery,
    JiraTicketParams,
    SlackMessageParams,
)
from cairn.insights.api.responses import ActionResult, IntelligenceAnswer
from cairn.insights.service import actions, intelligence

router = APIRouter(prefix="/api/v1/memory/intelligence", route_class=JSONRoute)


@router.post("/query", response_model=IntelligenceAnswer, response_model_exclude_unset=True)
def query(body: IntelligenceQuery, principal: Reader) -> dict[str, Any]:
    return intelligence.query(principal.tenant, body.question, project_ids=body.projectIds,
                              contributor_filter=body.contributorFilter, days=TIME_RANGE_DAYS[body.timeRange],
                              limit=body.contextLimit, include_external=body.includeExternalSources)


@dataclass(frozen=True)
class _Action:
    """An action's params model and the service request its valid params make."""

    params: type[ActionParams]
    request: Callable[[Any], actions.ActionRequest]


def _jira_ticket(params: JiraTicketParams) -> actions.JiraTicket:
    return actions.JiraTicket(project=params.project, summary=params.summary, description=params.description,
                              issue_type=params.issueType)


def _slack_message(params: SlackMessageParams) -> actions.SlackMessage:
    return actions.SlackMessage(channel=params.channel, text=params.text)


ACTIONS = {
    actions.JiraTicket.name: _Action(JiraTicketParams, _jira_ticket),
    actions.SlackMessage.name: _Action(SlackMessageParams, _slack_message),
}


def _request(name: str, params: dict[str, Any]) -> actions.ActionRequest:
    """The service request of a valid action: unknown action (400 ``unknown_action``), then invalid params
    (400 ``invalid_input`` naming ``params.<name>``), in that order (docs/intelligence.md)."""
    spec = ACTIONS.get(name)
    if spec is None:
        raise UnknownAction(f"unknown action '{name}'; known actions: {', '.join(sorted(ACTIONS))}", field="action")
    try:
        valid = spec.params.model_validate(params)
    except ValidationError as invalid:
        raise RequestValidationError(
            [{**problem, "loc": ("body", "params", *problem["loc"])} for problem in invalid.errors()]
        ) from invalid
    return spec.request(valid)


@router.post("/action", response_model=ActionResult, response_model_exclude_unset=True)
def action(body: IntelligenceAction, once: Idempotent) -> Any:
    request = _request(body.action, body.params)  # 400s before anything is reserved or called
    return once(body, lambda: actions.execute(once.tenant, once.principal.subject, request))
