"""Recall's wire models (memory-api.md "Recall"), also the agents' recall route's, the branch, log and metadata
models they hold, and a merge's answer: field for field what memory-api.md shows, in its order."""

# ruff: noqa: N815 (wire models mirror the spec's camelCase names, as the api modules' models do)
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from cairn.memory.domain.recall import View
from cairn.memory.service.models import Milestone, Project

BranchStatus = Literal["active", "abandoned", "merged"]
Phase = Literal["observation", "thought", "action"]


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
