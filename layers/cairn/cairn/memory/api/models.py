"""Request bodies of the memory routes (memory-api.md), with the spec's limits."""

from __future__ import annotations

from typing import Literal

from cairn.http.fields import (
    AbandonReason,
    AgentId,
    AgentType,
    BranchName,
    BranchPurpose,
    CumulativeProgress,
    LogContent,
    MergeSummary,
    NonEmptyBranchPurpose,
    NonEmptyRoadmap,
    ProjectId,
    ProjectName,
    RequestModel,
    Roadmap,
    ThisContribution,
)
from cairn.memory.service.branches import DEFAULT_BRANCH


class CreateProject(RequestModel):
    projectId: ProjectId
    name: ProjectName
    roadmap: Roadmap


class UpdateRoadmap(RequestModel):
    roadmap: NonEmptyRoadmap


class StoreMilestone(RequestModel):
    branchName: BranchName = DEFAULT_BRANCH
    branchPurpose: BranchPurpose
    cumulativeProgress: CumulativeProgress
    thisContribution: ThisContribution
    agentId: AgentId
    agentType: AgentType = "custom"


class AppendLog(RequestModel):
    branchName: BranchName = DEFAULT_BRANCH
    agentId: AgentId
    phase: Literal["observation", "thought", "action"]
    content: LogContent


class CreateBranch(RequestModel):
    branchName: BranchName
    parentBranch: BranchName = DEFAULT_BRANCH
    purpose: NonEmptyBranchPurpose
    agentId: AgentId


class AbandonBranch(RequestModel):
    reason: AbandonReason


class MergeBranch(RequestModel):
    sourceBranch: BranchName
    targetBranch: BranchName = DEFAULT_BRANCH
    mergeSummary: MergeSummary
    agentId: AgentId
