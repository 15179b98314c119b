"""Request bodies of session metrics and promote (memory-api.md; the limits Cairn adds where the spec names
none are in docs/metrics.md). The contributors' are in ``cairn.insights.api.contributor_models``."""



from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from cairn.core import limits
from cairn.http.fields import AgentId, BranchName, RequestModel, text_field
from cairn.insights.domain.metrics import format_timestamp, parse_timestamp
from cairn.memory.service.branches import DEFAULT_BRANCH

SESSION_ID_MAX = 128
# Counts are JSON integers that stay exact in JavaScript.
COUNT_MAX = 2**53 - 1
CACHE_KEY_MAX = 512
KNOWLEDGE_SUMMARY_MAX = limits.KNOWLEDGE_SUMMARY_MAX
EMBEDDING_DIMENSIONS_MAX = 4096
FLOAT32_MAX = 3.4028234663852886e38
L2_COLLECTION_MAX = 256
BLOB_KEY_MAX = 1024


def _timestamp(text: str) -> str:
    return format_timestamp(parse_timestamp(text))


Count = Annotated[int, Field(strict=True, ge=0, le=COUNT_MAX)]
Timestamp = Annotated[str, AfterValidator(_timestamp)]
OptionalAgentType = Annotated[str, text_field(limits.AGENT_TYPE_MAX)]


class StoreSessionMetrics(RequestModel):
    sessionId: Annotated[str, text_field(SESSION_ID_MAX, 1)]
    branchName: BranchName = DEFAULT_BRANCH
    agentId: AgentId
    agentType: OptionalAgentType = ""
    milestonesRecalled: Count
    compactionCount: Count = 0
    toolCallsTotal: Count
    toolCallsRead: Count = 0
    toolCallsSearch: Count = 0
    toolCallsEdit: Count = 0
    toolCallsExecute: Count = 0
    toolCallsAgent: Count = 0
    sessionDurationSecs: Count
    startedAt: Timestamp
    endedAt: Timestamp

    @field_validator("endedAt")
    @classmethod
    def _ends_after_start(cls, ended_at: str, info: ValidationInfo) -> str:
        started_at = info.data.get("startedAt")
        if started_at is not None and parse_timestamp(ended_at) < parse_timestamp(started_at):
            raise ValueError("endedAt must not be before startedAt")
        return ended_at


EmbeddingValue = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-FLOAT32_MAX, le=FLOAT32_MAX)]
Embedding = Annotated[list[EmbeddingValue], Field(min_length=1, max_length=EMBEDDING_DIMENSIONS_MAX)]


class PromoteKnowledge(RequestModel):
    cacheKey: Annotated[str, text_field(CACHE_KEY_MAX, 1)]
    reuseScore: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=1.0)]
    summary: Annotated[str, text_field(KNOWLEDGE_SUMMARY_MAX, 1)]
    summaryEmbedding: Embedding | None = None
    l2Collection: Annotated[str, text_field(L2_COLLECTION_MAX, 1)]
    blobKey: Annotated[str, text_field(BLOB_KEY_MAX, 1)] | None = None
