"""Response bodies of the insights routes, field for field memory-api.md (in its order; fields Cairn adds
where the spec shows none are in docs/metrics.md and docs/intelligence.md). Routes answer with
``response_model_exclude_unset``: a field the route leaves out stays out, a null stays null. The contributors'
are in ``cairn.insights.api.contributor_models``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class SessionMetrics(BaseModel):
    """One stored session (memory-api.md "Store Session Metrics"), as stored and as the summary lists it."""

    projectId: str
    sessionId: str
    branchName: str
    agentId: str
    agentType: str
    milestonesRecalled: int
    compactionCount: int
    toolCallsTotal: int
    toolCallsRead: int
    toolCallsSearch: int
    toolCallsEdit: int
    toolCallsExecute: int
    toolCallsAgent: int
    sessionDurationSecs: int
    startedAt: str
    endedAt: str
    recordedAt: str


class AgentTypeSummary(BaseModel):
    agentType: str
    sessionCount: int
    avgCompactionReductionPct: float | None
    avgContextToolReductionPct: float | None


class MetricsSummary(BaseModel):
    """memory-api.md "Get Metrics Summary": a figure whose group is empty is null (docs/metrics.md)."""

    totalSessions: int
    sessionsWithMemory: int
    sessionsWithoutMemory: int
    avgCompactionsWithMemory: float | None
    avgCompactionsWithoutMemory: float | None
    compactionReductionPct: float | None
    avgContextToolsWithMemory: float | None
    avgContextToolsWithoutMemory: float | None
    contextToolReductionPct: float | None
    avgDurationWithMemorySecs: float | None
    avgDurationWithoutMemorySecs: float | None
    contextRecoveryRate: float | None
    sessionsByAgentType: list[AgentTypeSummary]
    recentSessions: list[SessionMetrics]


class Promoted(BaseModel):
    """memory-api.md "Promote Cache Entry to Memory"."""

    promoted: bool
    knowledgeId: str
    reuseScore: float


class AnswerSource(BaseModel):
    """A cited source: ``milestoneId`` for a milestone, ``knowledgeId`` for promoted knowledge, ``sourceId``
    (with the record's ``remoteId``, ``url`` and ``author``) for an external source's record."""

    milestoneId: str | None = None
    knowledgeId: str | None = None
    sourceId: str | None = None
    remoteId: str | None = None
    projectId: str
    branchName: str | None
    excerpt: str
    createdAt: str | None
    url: str | None = None
    author: str | None = None


class IntelligenceAnswer(BaseModel):
    """memory-api.md "Query" (``answeredBy`` names the answerer: docs/intelligence.md)."""

    answer: str
    sources: list[AnswerSource]
    question: str
    projectsSearched: list[str]
    answeredBy: str


class ActionResult(BaseModel):
    """memory-api.md "Execute Action": ``result`` is what the remote side answered (per action)."""

    executed: bool
    action: str
    result: dict[str, Any]
