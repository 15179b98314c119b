"""Request bodies of the memory API, with the spec's limits (memory-api.md, docs/memory-model.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from cairn.domain import limits
from cairn.domain.branches import DEFAULT_BRANCH

# Identifiers travel in URL paths: no whitespace and none of the characters a path gives meaning to.
_IDENTIFIER = r"^[^\s/?#%\\]+$"
_BRANCH = r"^[^\s?#%\\]+$"


def _text(max_length: int, min_length: int = 0, pattern: str | None = None) -> object:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)


ProjectId = Annotated[str, _text(limits.PROJECT_ID_MAX, 1, _IDENTIFIER)]
BranchName = Annotated[str, _text(limits.BRANCH_NAME_MAX, 1, _BRANCH)]
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
