"""The memory context's wire models, also those other contexts answer with (search hits, contributor activity,
recall): field for field what memory-api.md shows, in its order."""

# ruff: noqa: N815 (wire models mirror the spec's camelCase names, as the api modules' models do)
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from cairn.memory.domain.recall import View


class Milestone(BaseModel):
    """A milestone as store, recall and search answer it (memory-api.md "Store Milestone")."""

    milestoneId: str
    projectId: str
    branchName: str
    branchPurpose: str
    cumulativeProgress: str
    thisContribution: str
    contentHash: int
    sequenceNumber: int
    agentId: str
    agentType: str | None = None
    createdAt: str
    mergedFrom: str | None = None  # the source branch of a merge milestone


BranchStatus = Literal["active", "abandoned", "merged"]
Phase = Literal["observation", "thought", "action"]


class Project(BaseModel):
    projectId: str
    tenantId: str
    name: str
    roadmap: str
    milestoneCount: int
    activeBranches: list[str]
    createdAt: str
    updatedAt: str


class ProjectList(BaseModel):
    projects: list[Project]


class Branch(BaseModel):
    projectId: str
    branchName: str
    parentBranch: str | None
    purpose: str
    status: BranchStatus
    agentId: str
    createdAt: str
    abandonReason: str | None


class BranchList(BaseModel):
    branches: list[Branch]


class Merge(BaseModel):
    merged: bool
    milestonesMerged: int
    mergeMilestoneId: str
    sourceBranchStatus: Literal["merged"]  # a merge always closes its source


class LogEntry(BaseModel):
    entryId: str
    projectId: str
    branchName: str
    agentId: str
    phase: Phase
    sequenceNumber: int
    createdAt: str
    content: str | None = None  # in recall's log view; an append does not echo it


class MetadataSegment(BaseModel):
    segment: str
    content: dict[str, Any]
    updatedAt: str


class Page(BaseModel):
    limit: int
    offset: int
    returned: int
    total: int


class Recall(BaseModel):
    """Every view's body: ``view`` and the fields that are not empty for it (overview: ``project`` and
    ``branches``; branch: ``branches`` (the one), ``milestones``, ``page``; milestone: ``milestones`` (the
    one); log: ``logEntries``, ``page``; metadata: ``metadata``)."""

    project: Project | None = None
    milestones: list[Milestone] | None = None
    logEntries: list[LogEntry] | None = None
    branches: list[Branch] | None = None
    metadata: MetadataSegment | None = None
    page: Page | None = None
    view: View
