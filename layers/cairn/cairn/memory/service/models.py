"""The memory context's wire models that other contexts answer with (search hits, contributor activity):
field for field what memory-api.md shows, in its order."""

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
