"""The memory context's item types, one declaration each: keys as docs/key-design.md ("Items") writes them,
and the fields each answers on the wire (``Entity.to_wire``). Key builders are in ``store/keys.py``."""

from __future__ import annotations

from cairn.aws.entity import Entity, declare

PROJECT = declare(Entity(
    "project", "{P}", "PROJECT",
    wire=("projectId", "tenantId", "name", "roadmap", "milestoneCount", "activeBranches", "createdAt", "updatedAt"),
    always=("projectId", "tenantId", "name", "roadmap", "milestoneCount", "activeBranches", "createdAt",
            "updatedAt"),
))

_BRANCH_WIRE = ("projectId", "branchName", "parentBranch", "purpose", "status", "agentId", "createdAt",
                "abandonReason")
BRANCH = declare(Entity("branch", "{P}", "PROJECT#BRANCH#{b}", wire=_BRANCH_WIRE, always=_BRANCH_WIRE))
# The milestone head carries the descriptor's fields (recall's branch view answers it as the branch).
MILESTONE_HEAD = declare(Entity("milestone-head", "{P}", "MS#{b}", wire=_BRANCH_WIRE, always=_BRANCH_WIRE))
LOG_HEAD = declare(Entity("log-head", "{P}", "LOG#{b}"))

_MILESTONE_WIRE = ("milestoneId", "projectId", "branchName", "branchPurpose", "cumulativeProgress", "thisContribution",
                   "contentHash", "sequenceNumber", "agentId", "agentType", "createdAt", "mergedFrom")
MILESTONE = declare(Entity("milestone", "{P}", "MS#{b}#{999999999999 - seq}", wire=_MILESTONE_WIRE))
MILESTONE_BY_ID = declare(Entity("milestone-by-id", "{P}", "MSID#{id}", wire=_MILESTONE_WIRE))
HASH_GUARD = declare(Entity("hash-guard", "{P}", "HASH#{sha256}"))
# One per agent that stored a milestone in the tenant's memory, updated in the milestone's own transaction: the
# ops view lists a tenant's agents with one Query, whatever their history.
_AGENT_ACTIVITY_WIRE = ("agentId", "milestoneCount", "firstActivityAt", "lastActivityAt", "lastProjectId")
AGENT_ACTIVITY = declare(Entity("agent-activity", "T#{t}#AGENTS", "{agentId}", wire=_AGENT_ACTIVITY_WIRE,
                                always=_AGENT_ACTIVITY_WIRE))

LOG_ENTRY = declare(Entity(
    "log-entry", "{P}", "LOG#{b}#{999999999999 - seq}",
    wire=("entryId", "projectId", "branchName", "agentId", "phase", "sequenceNumber", "createdAt", "content"),
))

# A copy of one of the branch's newest log entries (content cut to one line), beside the milestone head and written
# in the append's transaction: the brief reads it with the branch's newest milestones (docs/agents.md).
LOG_HIGHLIGHT = declare(Entity(
    "log-highlight", "{P}", "MS#{b}#!{seq % 8}",
    wire=("entryId", "branchName", "agentId", "phase", "sequenceNumber", "createdAt", "content"),
))

METADATA = declare(Entity("metadata", "{P}", "META#{segment}", wire=("segment", "content", "updatedAt"),
                          always=("segment", "content", "updatedAt")))
