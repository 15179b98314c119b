"""The memory context's wire models that other contexts answer with too (search hits, contributor activity),
and the project's: field for field what memory-api.md shows, in its order. Recall's models, which only the
memory context's and the agents' routes answer with, are in ``cairn.memory.service.recall_models``: a function
builds the models of its own routes only (each costs its cold start a model build)."""

# ruff: noqa: N815 (wire models mirror the spec's camelCase names, as the api modules' models do)
from __future__ import annotations

from pydantic import BaseModel


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
