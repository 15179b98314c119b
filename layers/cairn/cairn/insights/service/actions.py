"""Intelligence actions: validated params, the tenant's credentials, the remote call, the record.

Checks come in this order, each with its own status (docs/intelligence.md): unknown action (400
``unknown_action``), invalid params (400 ``invalid_input`` naming ``params.<name>``), integration
not configured (409 ``integration_not_configured``), remote failure (502 ``upstream_error``).
Only an action the remote side carried out is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from cairn.aws import secrets
from cairn.core.errors import UnknownAction
from cairn.core.observability import count, logger
from cairn.core.settings import get_settings
from cairn.insights.adapters import jira, slack
from cairn.insights.api.intelligence_models import ActionParams, JiraTicketParams, SlackMessageParams
from cairn.insights.store import actions as executed

Run = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    params: type[ActionParams]
    integration: str
    credentials: tuple[str, ...]
    execute: Callable[[dict[str, Any], Any], dict[str, str]]


def _create_jira_ticket(credentials: dict[str, Any], params: JiraTicketParams) -> dict[str, str]:
    return jira.create_issue(credentials, project=params.project, summary=params.summary,
                             description=params.description, issue_type=params.issueType,
                             timeout=get_settings().integration_timeout_seconds)


def _post_slack(credentials: dict[str, Any], params: SlackMessageParams) -> dict[str, str]:
    settings = get_settings()
    return slack.post_message(credentials, default_base_url=settings.slack_api_base_url, channel=params.channel,
                              text=params.text, timeout=settings.integration_timeout_seconds)


ACTIONS: dict[str, Action] = {
    "create_jira_ticket": Action(JiraTicketParams, "jira", jira.CREDENTIALS, _create_jira_ticket),
    "post_slack": Action(SlackMessageParams, "slack", slack.CREDENTIALS, _post_slack),
}


def _validated(spec: Action, params: dict[str, Any]) -> ActionParams:
    try:
        return spec.params.model_validate(params)
    except ValidationError as invalid:
        raise RequestValidationError(
            [{**problem, "loc": ("body", "params", *problem["loc"])} for problem in invalid.errors()]
        ) from invalid


def _record(tenant: str, subject: str, name: str, params: dict[str, Any], result: dict[str, Any]) -> None:
    """Records an action the remote carried out. If that write fails the action still happened: answering
    an error would invite a retry that files a second ticket, so the caller gets its result and the
    miss is logged (with what is needed to record it by hand) and counted."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        executed.record(tenant, subject, name, params, result)
    except (BotoCoreError, ClientError) as failure:
        logger().error("executed action not recorded", tenant=tenant, subject=subject, action=name,
                       params=params, result=result, error=str(failure))
        count("UnrecordedActions", 1)


def prepare(name: str, params: dict[str, Any]) -> Run:
    """Validates the request; returns what runs the action for (tenant, subject)."""
    spec = ACTIONS.get(name)
    if spec is None:
        raise UnknownAction(f"unknown action '{name}'; known actions: {', '.join(sorted(ACTIONS))}", field="action")
    valid = _validated(spec, params)

    def run(tenant: str, subject: str) -> dict[str, Any]:
        credentials = secrets.load(tenant, spec.integration, spec.credentials)
        result = spec.execute(credentials, valid)
        _record(tenant, subject, name, valid.model_dump(mode="json"), result)
        return {"executed": True, "action": name, "result": result}

    return run
