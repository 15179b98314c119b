"""Responses of the search and insights routes against memory-api.md's examples: the same fields, in the
spec's order (Cairn's additions after them or where docs/metrics.md puts them), the spec's values where the
request determines them, and omitted-when-empty fields left out."""

from __future__ import annotations

from cairn.insights.store.knowledge import knowledge_id
from tests.http.helpers import ok, stored, url

SPEC_MILESTONE_KEYS = ["milestoneId", "projectId", "branchName", "branchPurpose", "cumulativeProgress",
                       "thisContribution", "contentHash", "sequenceNumber", "agentId", "createdAt"]
SPEC_CONTRIBUTOR = {"contributorId": "alice", "displayName": "Alice Chen",
                    "agentIds": ["claude-code-alice-macbook", "cursor-alice-work"], "role": "Senior Engineer"}
SPEC_SESSION = {"sessionId": "sess-abc123", "branchName": "main", "agentId": "claude-code-zach-macbook",
                "agentType": "claude-code", "milestonesRecalled": 5, "compactionCount": 2, "toolCallsTotal": 47,
                "toolCallsRead": 15, "toolCallsSearch": 8, "toolCallsEdit": 12, "toolCallsExecute": 7,
                "toolCallsAgent": 5, "sessionDurationSecs": 1800, "startedAt": "2026-02-10T14:00:00Z",
                "endedAt": "2026-02-10T14:30:00Z"}
SPEC_SUMMARY_KEYS = ["totalSessions", "sessionsWithMemory", "sessionsWithoutMemory", "avgCompactionsWithMemory",
                     "avgCompactionsWithoutMemory", "compactionReductionPct", "avgContextToolsWithMemory",
                     "avgContextToolsWithoutMemory", "contextToolReductionPct", "avgDurationWithMemorySecs",
                     "avgDurationWithoutMemorySecs", "contextRecoveryRate", "sessionsByAgentType", "recentSessions"]


def in_spec_order(keys: list[str], spec_keys: list[str]) -> list[str]:
    return [key for key in keys if key in spec_keys]


def test_project_search_answers_the_specs_shape(agent, project):
    milestone = stored(agent, project, thisContribution="Added JWT authentication middleware")

    body = ok(agent.post(url(project, "/search"), json={"query": "authentication", "limit": 10}))

    assert list(body) == ["milestones", "query", "count"]
    assert (body["query"], body["count"]) == ("authentication", 1)
    [found] = body["milestones"]
    assert found == milestone
    assert in_spec_order(list(found), SPEC_MILESTONE_KEYS) == SPEC_MILESTONE_KEYS
    assert "mergedFrom" not in found  # omitted unless the milestone is a merge


def test_cross_project_search_with_no_match_is_the_specs_example(agent, project):
    body = ok(agent.post("/api/v1/memory/search", json={
        "query": "rate limiting implementation", "limit": 20, "projectIds": ["synapse-backend", "synapse-proxy"]}))

    assert body == {"milestones": [], "query": "rate limiting implementation", "count": 0}


def test_store_metrics_and_summary_answer_the_specs_fields(agent, project):
    recorded = ok(agent.post(url(project, "/metrics"), json=SPEC_SESSION))
    assert recorded == {"projectId": project, **SPEC_SESSION, "recordedAt": recorded["recordedAt"]}
    assert list(recorded) == ["projectId", *SPEC_SESSION, "recordedAt"]

    summary = ok(agent.get(url(project, "/metrics/summary")))
    assert list(summary) == SPEC_SUMMARY_KEYS
    assert summary["avgCompactionsWithoutMemory"] is None  # no session without memory: null, not left out
    assert list(summary["sessionsByAgentType"][0]) == ["agentType", "sessionCount", "avgCompactionReductionPct",
                                                      "avgContextToolReductionPct"]
    assert summary["recentSessions"] == [recorded]


def test_promote_is_the_specs_example(agent, project):
    body = ok(agent.post(url(project, "/promote"), json={
        "cacheKey": "cache-key-xyz", "reuseScore": 0.92, "l2Collection": "default",
        "summary": "Detailed explanation of Rust async/await patterns with examples"}))

    assert body == {"promoted": True, "knowledgeId": knowledge_id("cache-key-xyz"), "reuseScore": 0.92}
    assert list(body) == ["promoted", "knowledgeId", "reuseScore"]


def test_contributors_answer_the_specs_examples(agent):
    assert ok(agent.get("/api/v1/memory/contributors")) == {"contributors": []}

    created = ok(agent.post("/api/v1/memory/contributors", json=SPEC_CONTRIBUTOR))
    assert created == {"contributorId": "alice", "tenantId": agent.tenant, "displayName": "Alice Chen",
                       "agentIds": SPEC_CONTRIBUTOR["agentIds"], "role": "Senior Engineer",
                       "createdAt": created["createdAt"], "updatedAt": created["createdAt"]}
    assert list(created) == ["contributorId", "tenantId", "displayName", "agentIds", "role", "createdAt",
                             "updatedAt"]
    assert ok(agent.get("/api/v1/memory/contributors/alice")) == created

    activity = ok(agent.get("/api/v1/memory/contributors/alice/activity", params={"limit": 10}))
    assert activity == {"contributor": created, "milestones": [], "totalMilestones": 0}
    assert list(activity) == ["contributor", "milestones", "totalMilestones"]


def test_a_contributor_without_a_role_answers_null(agent):
    created = ok(agent.post("/api/v1/memory/contributors", json={"contributorId": "bob", "displayName": "Bob"}))

    assert created["role"] is None
    assert created["agentIds"] == []


def test_intelligence_query_answers_the_specs_fields(agent, project):
    milestone = stored(agent, project, branchName="main", thisContribution="Added JWT token exchange endpoint")

    body = ok(agent.post("/api/v1/memory/intelligence/query", json={
        "question": "What progress has been made on the authentication system this week?", "timeRange": "7d",
        "projectIds": [project]}))

    assert list(body) == ["answer", "sources", "question", "projectsSearched", "answeredBy"]
    assert body["question"] == "What progress has been made on the authentication system this week?"
    assert body["projectsSearched"] == [project]
    [source] = body["sources"]
    assert list(source) == ["milestoneId", "projectId", "branchName", "excerpt", "createdAt"]
    assert (source["milestoneId"], source["createdAt"]) == (milestone["milestoneId"], milestone["createdAt"])
