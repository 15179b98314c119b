
"""Request bodies of the intelligence routes (memory-api.md, docs/intelligence.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from cairn.http.fields import ProjectId, RequestModel

QUESTION_MAX = 2_000
CONTEXT_LIMIT_DEFAULT = 50
CONTEXT_LIMIT_MAX = 200
PROJECT_IDS_MAX = 100
CONTRIBUTOR_FILTER_MAX = 256
TIME_RANGE_DAYS: dict[str, int | None] = {"1d": 1, "7d": 7, "14d": 14, "30d": 30, "90d": 90, "all": None}
TimeRange = Literal["1d", "7d", "14d", "30d", "90d", "all"]

JIRA_SUMMARY_MAX = 255
JIRA_DESCRIPTION_MAX = 32_000
SLACK_TEXT_MAX = 40_000

_NOT_BLANK = r"\S"
_ONE_LINE = r"^[^\r\n]*\S[^\r\n]*$"


class IntelligenceQuery(RequestModel):
    question: Annotated[str, StringConstraints(min_length=1, max_length=QUESTION_MAX, pattern=_NOT_BLANK)]
    projectIds: Annotated[list[ProjectId], Field(max_length=PROJECT_IDS_MAX)] | None = None
    contributorFilter: Annotated[str, StringConstraints(min_length=1, max_length=CONTRIBUTOR_FILTER_MAX,
                                                        pattern=_NOT_BLANK)] | None = None
    timeRange: TimeRange = "30d"
    includeExternalSources: bool = True
    contextLimit: Annotated[int, Field(ge=1, le=CONTEXT_LIMIT_MAX)] = CONTEXT_LIMIT_DEFAULT

    @field_validator("projectIds")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None


class IntelligenceAction(RequestModel):
    action: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    params: dict[str, Any]


class ActionParams(BaseModel):
    """An action's params: unknown keys are rejected, so a misspelt optional one is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class JiraTicketParams(ActionParams):
    project: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
    summary: Annotated[str, StringConstraints(min_length=1, max_length=JIRA_SUMMARY_MAX, pattern=_ONE_LINE)]
    description: Annotated[str, StringConstraints(max_length=JIRA_DESCRIPTION_MAX)]
    issueType: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=_NOT_BLANK)] = "Task"


class SlackMessageParams(ActionParams):
    channel: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^\S+$")]
    text: Annotated[str, StringConstraints(min_length=1, max_length=SLACK_TEXT_MAX, pattern=_NOT_BLANK)]
