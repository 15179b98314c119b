"""Intelligence actions: the tenant's credentials, the remote call, the record (docs/intelligence.md).

A request arrives validated (its params typed here; unknown actions and invalid params are answered by the
route before anything is reserved or called). Then: integration not configured (409
``integration_not_configured``), remote failure (502 ``upstream_error``). Only an action the remote side
carried out is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from cairn.aws import secrets
from cairn.core.observability import count, logger
from cairn.core.settings import get_settings
from cairn.insights.adapters import jira, slack
from cairn.insights.store import actions as executed


class ActionRequest(Protocol):
    """One action with its params: what it is called, which integration's credentials it needs, and how
    it runs with them."""

    name: ClassVar[str]
    integration: ClassVar[str]
    credentials: ClassVar[tuple[str, ...]]

    def params(self) -> dict[str, Any]:
        """The params as the request named them (the record keeps what was asked)."""
        ...

    def call(self, credentials: dict[str, Any]) -> dict[str, str]: ...


@dataclass(frozen=True)
class JiraTicket:
    name: ClassVar[str] = "create_jira_ticket"
    integration: ClassVar[str] = "jira"
    credentials: ClassVar[tuple[str, ...]] = jira.CREDENTIALS

    project: str
    summary: str
    description: str
    issue_type: str

    def params(self) -> dict[str, Any]:
        return {"project": self.project, "summary": self.summary, "description": self.description,
                "issueType": self.issue_type}

    def call(self, credentials: dict[str, Any]) -> dict[str, str]:
        return jira.create_issue(credentials, project=self.project, summary=self.summary,
                                 description=self.description, issue_type=self.issue_type,
                                 timeout=get_settings().integration_timeout_seconds)


@dataclass(frozen=True)
class SlackMessage:
    name: ClassVar[str] = "post_slack"
    integration: ClassVar[str] = "slack"
    credentials: ClassVar[tuple[str, ...]] = slack.CREDENTIALS

    channel: str
    text: str

    def params(self) -> dict[str, Any]:
        return {"channel": self.channel, "text": self.text}

    def call(self, credentials: dict[str, Any]) -> dict[str, str]:
        settings = get_settings()
        return slack.post_message(credentials, default_base_url=settings.slack_api_base_url, channel=self.channel,
                                  text=self.text, timeout=settings.integration_timeout_seconds)


def execute(tenant: str, subject: str, request: ActionRequest) -> dict[str, Any]:
    """Runs the action with the tenant's credentials and records it for ``subject``."""
    credentials = secrets.load(tenant, request.integration, request.credentials)
    result = request.call(credentials)
    count("IntelligenceActions", 1)
    _record(tenant, subject, request.name, request.params(), result)
    return {"executed": True, "action": request.name, "result": result}


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
