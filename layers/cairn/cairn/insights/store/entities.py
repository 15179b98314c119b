"""The insights context's item types, one declaration each: keys as docs/key-design.md writes them, and the
fields each answers on the wire (``Entity.to_wire``). Key builders are in the store modules beside it."""

from __future__ import annotations

from cairn.aws.entity import Entity, declare

# What one agent session reports (memory-api.md "Store Session Metrics"), in the spec's order.
SESSION_FIELDS = (
    "sessionId", "branchName", "agentId", "agentType", "milestonesRecalled", "compactionCount",
    "toolCallsTotal", "toolCallsRead", "toolCallsSearch", "toolCallsEdit", "toolCallsExecute",
    "toolCallsAgent", "sessionDurationSecs", "startedAt", "endedAt",
)
SESSION_METRICS = declare(Entity("session-metrics", "{P}", "METRIC#{sessionId}",
                                 wire=("projectId", *SESSION_FIELDS, "recordedAt")))

# ``blobKey`` is stored as ``sourceBlobKey`` (cairn.insights.store.knowledge.to_wire answers it back).
KNOWLEDGE = declare(Entity("knowledge", "{P}", "KNOW#{knowledgeId}",
                           wire=("knowledgeId", "projectId", "cacheKey", "reuseScore", "summary", "l2Collection",
                                 "blobKey", "embeddingDimensions", "createdAt", "updatedAt")))
KNOWLEDGE_EMBEDDING = declare(Entity("knowledge-embedding", "{P}", "KNOWVEC#{knowledgeId}"))

_CONTRIBUTOR_WIRE = ("contributorId", "tenantId", "displayName", "agentIds", "role", "createdAt", "updatedAt")
CONTRIBUTOR = declare(Entity("contributor", "T#{t}#CONTRIB", "{contributorId}", wire=_CONTRIBUTOR_WIRE,
                             always=_CONTRIBUTOR_WIRE))

EXECUTED_ACTION = declare(Entity("action", "T#{t}#ACTIONS", "{executedAt}#{actionId}",
                                 wire=("actionId", "action", "params", "result", "subject", "executedAt")))
