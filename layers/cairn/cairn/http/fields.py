"""Field types of request bodies, with the spec's limits (memory-api.md, docs/memory-model.md), and their base."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from cairn.core import identifiers, limits


def text_field(max_length: int, min_length: int = 0, pattern: str | None = None) -> object:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)


def _identifier(value: str) -> str:
    if (problem := identifiers.problem(value)) is not None:
        raise PydanticCustomError("identifier", problem)
    return value


def _branch_name(value: str) -> str:
    if (problem := identifiers.problem(value, parts=True)) is not None:
        raise PydanticCustomError("identifier", problem)
    return value


# Identifiers travel in URL paths: one rule for all of them (cairn.core.identifiers).
ProjectId = Annotated[str, text_field(limits.PROJECT_ID_MAX, 1), AfterValidator(_identifier)]
BranchName = Annotated[str, text_field(limits.BRANCH_NAME_MAX, 1), AfterValidator(_branch_name)]
SegmentName = Annotated[str, text_field(limits.SEGMENT_NAME_MAX, 1, limits.SEGMENT_NAME_PATTERN),
                        AfterValidator(_identifier)]
AgentId = Annotated[str, text_field(limits.AGENT_ID_MAX, 1)]
AgentType = Annotated[str, text_field(limits.AGENT_TYPE_MAX, 1)]
ProjectName = Annotated[str, text_field(limits.PROJECT_NAME_MAX, 1)]
Roadmap = Annotated[str, text_field(limits.ROADMAP_MAX)]
NonEmptyRoadmap = Annotated[str, text_field(limits.ROADMAP_MAX, 1)]
BranchPurpose = Annotated[str, text_field(limits.BRANCH_PURPOSE_MAX)]
NonEmptyBranchPurpose = Annotated[str, text_field(limits.BRANCH_PURPOSE_MAX, 1)]
CumulativeProgress = Annotated[str, text_field(limits.CUMULATIVE_PROGRESS_MAX)]
ThisContribution = Annotated[str, text_field(limits.THIS_CONTRIBUTION_MAX)]
LogContent = Annotated[str, text_field(limits.LOG_CONTENT_MAX, 1)]
AbandonReason = Annotated[str, text_field(limits.ABANDON_REASON_MAX, 1)]
MergeSummary = Annotated[str, text_field(limits.MERGE_SUMMARY_MAX, 1)]


class RequestModel(BaseModel):
    """A request body: unknown fields are ignored, as the spec's clients expect."""


    model_config = ConfigDict(extra="ignore")
