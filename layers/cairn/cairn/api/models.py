"""Request bodies of the memory API, with the spec's limits (memory-api.md, docs/memory-model.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from cairn.domain import identifiers, limits
from cairn.domain.branches import DEFAULT_BRANCH


def _text(max_length: int, min_length: int = 0, pattern: str | None = None) -> object:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)


def _identifier(value: str) -> str:
    if (problem := identifiers.problem(value)) is not None:
        raise PydanticCustomError("identifier", problem)
    return value


def _branch_name(value: str) -> str:
    if (problem := identifiers.problem(value, parts=True)) is not None:
        raise PydanticCustomError("identifier", problem)
    return value


# Identifiers travel in URL paths: one rule for all of them (cairn.domain.identifiers).
ProjectId = Annotated[str, _text(limits.PROJECT_ID_MAX, 1), AfterValidator(_identifier)]
BranchName = Annotated[str, _text(limits.BRANCH_NAME_MAX, 1), AfterValidator(_branch_name)]
SegmentName = Annotated[str, _text(limits.SEGMENT_NAME_MAX, 1, limits.SEGMENT_NAME_PATTERN),
                        AfterValidator(_identifier)]
AgentId = Annotated[str, _text(limits.AGENT_ID_MAX, 1)]
AgentType = Annotated[str, _text(limits.AGENT_TYPE_MAX, 1)]
ProjectName = Annotated[str, _text(limits.PROJECT_NAME_MAX, 1)]
Roadmap = Annotated[str, _text(limits.ROADMAP_MAX)]
NonEmptyRoadmap = Annotated[str, _text(limits.ROADMAP_MAX, 1)]
BranchPurpose = Annotated[str, _text(limits.BRANCH_PURPOSE_MAX)]
NonEmptyBranchPurpose = Annotated[str, _text(limits.BRANCH_PURPOSE_MAX, 1)]
CumulativeProgress = Annotated[str, _text(limits.CUMULATIVE_PROGRESS_MAX)]
ThisContribution = Annotated[str, _text(limits.THIS_CONTRIBUTION_MAX)]
LogContent = Annotated[str, _text(limits.LOG_CONTENT_MAX, 1)]
AbandonReason = Annotated[str, _text(limits.ABANDON_REASON_MAX, 1)]
MergeSummary = Annotated[str, _text(limits.MERGE_SUMMARY_MAX, 1)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CreateProject(Body):
    projectId: ProjectId
    name: ProjectName
    roadmap: Roadmap


class UpdateRoadmap(Body):
    roadmap: NonEmptyRoadmap


class StoreMilestone(Body):
    branchName: BranchName = DEFAULT_BRANCH
    branchPurpose: BranchPurpose
    cumulativeProgress: CumulativeProgress
    thisContribution: ThisContribution
    agentId: AgentId
    agentType: AgentType = "custom"


class AppendLog(Body):
    branchName: BranchName = DEFAULT_BRANCH
    agentId: AgentId
    phase: Literal["observation", "thought", "action"]
    content: LogContent


class CreateBranch(Body):
    branchName: BranchName
    parentBranch: BranchName = DEFAULT_BRANCH
    purpose: NonEmptyBranchPurpose
    agentId: AgentId


class AbandonBranch(Body):
    reason: AbandonReason


class MergeBranch(Body):
    sourceBranch: BranchName
    targetBranch: BranchName = DEFAULT_BRANCH
    mergeSummary: MergeSummary
    agentId: AgentId
