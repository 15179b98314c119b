"""Responses of the memory routes against memory-api.md's examples: the same fields in the spec's order, the
spec's values where the request determines them, ``null`` where the spec shows it, and the fields a view
leaves empty omitted (the routes' response models, ``cairn.memory.api.responses``)."""

from __future__ import annotations

from tests.http.helpers import PROJECTS, TIMESTAMP, create_branch, ok, recalled, url

SPEC_PROJECT = {"projectId": "synapse-backend", "name": "Synapse Backend",
                "roadmap": "Build semantic caching layer with memory persistence"}
PROJECT_KEYS = ["projectId", "tenantId", "name", "roadmap", "milestoneCount", "activeBranches", "createdAt",
                "updatedAt"]
SPEC_MILESTONE = {"branchName": "main", "branchPurpose": "Core cache implementation",
                  "cumulativeProgress": "Implemented L1 Redis cache, L2 Milvus store, embedding service integration",
                  "thisContribution": "Added cache hit/miss metrics and Prometheus instrumentation",
                  "agentId": "claude-code-zach-macbook", "agentType": "claude-code"}
MILESTONE_KEYS = ["milestoneId", "projectId", "branchName", "branchPurpose", "cumulativeProgress",
                  "thisContribution", "contentHash", "sequenceNumber", "agentId", "agentType", "createdAt"]
SPEC_BRANCH = {"branchName": "feature-auth", "parentBranch": "main",
               "purpose": "Implement JWT authentication and API key management", "agentId": "claude-code-zach-macbook"}
BRANCH_KEYS = ["projectId", "branchName", "parentBranch", "purpose", "status", "agentId", "createdAt",
               "abandonReason"]
SPEC_LOG = {"branchName": "main", "agentId": "claude-code-zach-macbook", "phase": "observation",
            "content": "User requested adding rate limiting to the proxy endpoint"}
LOG_KEYS = ["entryId", "projectId", "branchName", "agentId", "phase", "sequenceNumber", "createdAt"]


def test_projects_answer_the_specs_example(agent):
    created = ok(agent.post(PROJECTS, json=SPEC_PROJECT))

    assert created == {**SPEC_PROJECT, "tenantId": agent.tenant, "milestoneCount": 0, "activeBranches": ["main"],
                       "createdAt": created["createdAt"], "updatedAt": created["createdAt"]}
    assert list(created) == PROJECT_KEYS
    assert TIMESTAMP.match(created["createdAt"])
    assert ok(agent.get(url("synapse-backend"))) == created
    assert ok(agent.get(PROJECTS)) == {"projects": [created]}
    updated = ok(agent.put(url("synapse-backend", "/roadmap"), json={"roadmap": "Phase 1: Cache layer (done)"}))
    assert list(updated) == PROJECT_KEYS
    assert updated["roadmap"] == "Phase 1: Cache layer (done)"


def test_store_answers_the_specs_example(agent, project):
    body = ok(agent.post(url(project, "/store"), json=SPEC_MILESTONE))

    assert list(body) == MILESTONE_KEYS  # mergedFrom omitted: not a merge milestone
    assert {key: body[key] for key in SPEC_MILESTONE} == SPEC_MILESTONE
    assert (body["projectId"], body["sequenceNumber"]) == (project, 1)
    assert isinstance(body["contentHash"], int)
    assert body["milestoneId"].startswith("ms-")


def test_branches_answer_the_specs_examples_with_nulls(agent, project):
    created = create_branch(agent, project, SPEC_BRANCH["branchName"], **SPEC_BRANCH)

    assert created == {"projectId": project, **SPEC_BRANCH, "status": "active", "createdAt": created["createdAt"],
                       "abandonReason": None}
    assert list(created) == BRANCH_KEYS
    assert ok(agent.get(url(project, "/branches/feature-auth"))) == created
    [listed, main] = ok(agent.get(url(project, "/branches")))["branches"]  # in key order
    assert listed == created
    assert main == {"projectId": project, "branchName": "main", "parentBranch": None,
                    "purpose": "Primary development branch", "status": "active", "agentId": "system",
                    "createdAt": main["createdAt"], "abandonReason": None}

    abandoned = ok(agent.post(url(project, "/branches/feature-auth/abandon"),
                              json={"reason": "Superseded by OAuth2 implementation on a new branch"}))
    assert abandoned == {**created, "status": "abandoned",
                         "abandonReason": "Superseded by OAuth2 implementation on a new branch"}
    assert list(abandoned) == BRANCH_KEYS


def test_merge_answers_the_specs_example(agent, project):
    create_branch(agent, project, "feature-auth")
    ok(agent.post(url(project, "/store"), json={**SPEC_MILESTONE, "branchName": "feature-auth"}))

    body = ok(agent.post(url(project, "/merge"), json={
        "sourceBranch": "feature-auth", "targetBranch": "main",
        "mergeSummary": "JWT auth complete: token exchange, middleware, role-based access control",
        "agentId": "claude-code-zach-macbook"}))

    assert body == {"merged": True, "milestonesMerged": 1, "mergeMilestoneId": body["mergeMilestoneId"],
                    "sourceBranchStatus": "merged"}
    assert list(body) == ["merged", "milestonesMerged", "mergeMilestoneId", "sourceBranchStatus"]
    [merge] = recalled(agent, project, view="branch")["milestones"]
    assert (merge["agentType"], merge["mergedFrom"]) == ("merge", "feature-auth")
    assert list(merge) == [*MILESTONE_KEYS, "mergedFrom"]


def test_log_append_answers_the_specs_example_without_the_content(agent, project):
    body = ok(agent.post(url(project, "/log"), json=SPEC_LOG))

    assert list(body) == LOG_KEYS
    assert {key: body[key] for key in ("branchName", "agentId", "phase")} == {
        key: SPEC_LOG[key] for key in ("branchName", "agentId", "phase")}
    assert (body["projectId"], body["sequenceNumber"]) == (project, 1)
    [entry] = recalled(agent, project, view="log")["logEntries"]
    assert entry == {**body, "content": SPEC_LOG["content"]}


def test_recall_views_answer_only_their_fields(agent, project):
    milestone = ok(agent.post(url(project, "/store"), json=SPEC_MILESTONE))
    ok(agent.post(url(project, "/log"), json=SPEC_LOG))
    segment = ok(agent.put(url(project, "/metadata/notes"), json={"owner": "platform", "tags": [1, 2.5, None]}))
    assert segment == {"segment": "notes", "content": {"owner": "platform", "tags": [1, 2.5, None]},
                       "updatedAt": segment["updatedAt"]}

    overview = recalled(agent, project)
    assert sorted(overview) == ["branches", "project", "view"]  # milestones and logEntries are empty: omitted
    assert list(overview["project"]) == PROJECT_KEYS
    assert [list(branch) for branch in overview["branches"]] == [BRANCH_KEYS]
    assert overview["branches"][0]["parentBranch"] is None

    branch = recalled(agent, project, view="branch")
    assert sorted(branch) == ["branches", "milestones", "page", "view"]
    assert branch["milestones"] == [milestone]
    assert branch["page"] == {"limit": 10, "offset": 0, "returned": 1, "total": 1}
    assert list(branch["branches"][0]) == BRANCH_KEYS

    one = recalled(agent, project, view="milestone", milestoneId=milestone["milestoneId"])
    assert one == {"milestones": [milestone], "view": "milestone"}

    log = recalled(agent, project, view="log")
    assert sorted(log) == ["logEntries", "page", "view"]
    assert list(log["logEntries"][0]) == [*LOG_KEYS, "content"]

    assert recalled(agent, project, view="metadata", segment="notes") == {"metadata": segment, "view": "metadata"}
    empty_page = recalled(agent, project, view="branch", offset=5)
    assert empty_page == {"branches": branch["branches"], "page": {"limit": 10, "offset": 5, "returned": 0,
                                                                     "total": 1}, "view": "branch"}
