"""The MCP server at /mcp, with the official MCP client over Streamable HTTP, in process through the local
gateway (docs/agents.md, "MCP server")."""

from __future__ import annotations

import json

import pytest

from cairn.agents.domain.tokens import estimate
from cairn.insights.service import knowledge
from cairn_local.gateway import Gateway
from tests.http.helpers import create_branch, ok, stored, url
from tests.http.mcp_client import data, session, text

TOOLS = {"cairn_context", "cairn_commit", "cairn_log", "cairn_branch", "cairn_merge", "cairn_search",
         "cairn_remember"}


def call(caller, name, arguments, *, project=None, key=None):
    headers = {**caller.headers(), **({"x-cairn-project": project} if project else {}),
               **({"Idempotency-Key": key} if key else {})}
    return session(Gateway(), headers, lambda client: client.call_tool(name, arguments))


def commit_args(tag, **overrides):
    return {"branchPurpose": "Core cache", "cumulativeProgress": f"progress {tag}",
            "thisContribution": f"contribution {tag}", "agentId": "claude-code-1", **overrides}


@pytest.fixture
def gateway(aws):
    return Gateway()


def test_the_tool_list_is_few_short_tools_under_2000_tokens(agent, gateway):
    listed = session(gateway, agent.headers(), lambda client: client.list_tools())
    assert {tool.name for tool in listed.tools} == TOOLS
    size = estimate(json.dumps([tool.model_dump(mode="json", exclude_none=True) for tool in listed.tools]))
    assert size < 2_000, size
    commit = next(tool for tool in listed.tools if tool.name == "cairn_commit")
    properties = commit.input_schema["properties"]
    assert {"branchPurpose", "cumulativeProgress", "thisContribution", "agentId", "branchName",
            "projectId"} <= set(properties)
    assert sorted(commit.input_schema["required"]) == ["agentId", "branchPurpose", "cumulativeProgress",
                                                       "thisContribution"]
    # Slimmed for the model: no generated titles, an optional argument as its type alone, the limits kept.
    assert "title" not in properties["agentId"]
    assert properties["projectId"]["type"] == "string"
    assert "anyOf" not in properties["projectId"]
    assert properties["cumulativeProgress"]["maxLength"] == 50_000


def test_a_commit_is_the_same_milestone_the_rest_api_recalls(agent, project):
    committed = data(call(agent, "cairn_commit", commit_args(1), project=project))
    assert committed["deduplicated"] is False
    assert committed["sequenceNumber"] == 1
    recalled = ok(agent.get(url(project, "/recall"), params={"view": "branch"}))
    assert [m["milestoneId"] for m in recalled["milestones"]] == [committed["milestoneId"]]
    # The same texts from another agent are the same milestone (the content hash), as on the REST route.
    again = data(call(agent, "cairn_commit", commit_args(1, agentId="codex-1"), project=project))
    assert again["deduplicated"] is True
    assert again["milestoneId"] == committed["milestoneId"]


def test_context_answers_the_brief_by_default_and_the_other_views_on_request(agent, project):
    stored(agent, project, 7)
    brief = text(call(agent, "cairn_context", {}, project=project))
    assert brief.startswith(f"# Cairn brief: project `{project}`, branch `main`")
    assert "progress 7" in brief
    overview = data(call(agent, "cairn_context", {"view": "overview"}, project=project))
    assert overview["view"] == "overview"
    assert overview["project"]["projectId"] == project


def test_the_project_comes_from_the_argument_before_the_header_and_is_never_guessed(agent, project):
    other = ok(agent.post("/api/v1/memory/projects", json={"projectId": "other", "name": "O", "roadmap": ""}))
    assert data(call(agent, "cairn_commit", commit_args(1, projectId=other["projectId"]), project=project))
    assert ok(agent.get(url("other", "/recall"), params={"view": "branch"}))["page"]["total"] == 1
    missing = call(agent, "cairn_context", {})
    assert missing.is_error
    assert "invalid_input: no project: pass projectId, or set the x-cairn-project header" in text(missing)
    malformed = call(agent, "cairn_context", {}, project="no spaces allowed")
    assert malformed.is_error
    assert "invalid_input: x-cairn-project: " in text(malformed)


def test_log_branch_and_merge_write_as_the_rest_routes_do(agent, project):
    created = data(call(agent, "cairn_branch", {"branchName": "feature/x", "purpose": "try x",
                                                "agentId": "claude-code-1"}, project=project))
    assert created["status"] == "active"
    assert created["parentBranch"] == "main"
    entry = data(call(agent, "cairn_log", {"phase": "action", "content": "ran tests", "agentId": "claude-code-1",
                                           "branchName": "feature/x"}, project=project))
    assert entry["sequenceNumber"] == 1
    data(call(agent, "cairn_commit", commit_args(1, branchName="feature/x"), project=project))
    merged = data(call(agent, "cairn_merge", {"sourceBranch": "feature/x", "mergeSummary": "x works",
                                              "agentId": "claude-code-1"}, project=project))
    assert merged["merged"] is True
    assert merged["sourceBranchStatus"] == "merged"
    create_branch(agent, project, "spike")
    abandoned = data(call(agent, "cairn_branch", {"branchName": "spike", "action": "abandon", "reason": "dead end"},
                          project=project))
    assert abandoned["status"] == "abandoned"
    assert abandoned["abandonReason"] == "dead end"


def log_contents(agent, project):
    entries = ok(agent.get(url(project, "/recall"), params={"view": "log", "limit": 100})).get("logEntries", [])
    return sorted(entry["content"] for entry in entries)


def log_args(content):
    return {"phase": "action", "content": content, "agentId": "claude-code-1"}


def test_a_retried_log_call_appends_once_and_answers_as_the_first(agent, project):
    first = data(call(agent, "cairn_log", log_args("ran tests"), project=project))
    retried = data(call(agent, "cairn_log", log_args("ran tests"), project=project))  # the same call again
    assert retried == first
    data(call(agent, "cairn_log", log_args("ran the linter"), project=project))  # another call
    assert log_contents(agent, project) == ["ran tests", "ran the linter"]


def test_a_retried_merge_answers_the_merge_instead_of_failing_on_the_closed_branch(agent, project):
    create_branch(agent, project, "feature/y")
    merge = {"sourceBranch": "feature/y", "mergeSummary": "y works", "agentId": "claude-code-1"}
    first = data(call(agent, "cairn_merge", merge, project=project))
    assert data(call(agent, "cairn_merge", merge, project=project)) == first
    milestones = ok(agent.get(url(project, "/recall"), params={"view": "branch"}))["milestones"]
    assert len(milestones) == 1  # one merge milestone on main


def test_an_idempotency_key_header_identifies_the_call_instead(agent, project):
    first = data(call(agent, "cairn_log", log_args("deployed"), project=project, key="call-1"))
    assert data(call(agent, "cairn_log", log_args("deployed"), project=project, key="call-1")) == first
    # Two calls the client tells apart log twice, even with the same arguments.
    second = data(call(agent, "cairn_log", log_args("deployed"), project=project, key="call-2"))
    assert second["sequenceNumber"] == first["sequenceNumber"] + 1
    reused = call(agent, "cairn_log", log_args("rolled back"), project=project, key="call-1")
    assert reused.is_error
    assert "idempotency_key_reused" in text(reused)
    assert log_contents(agent, project) == ["deployed", "deployed"]


def test_the_same_call_of_two_users_is_two_calls(agent, caller, project):
    colleague = caller(agent.tenant, roles=("agent",), sub="colleague")
    data(call(agent, "cairn_log", log_args("ran tests"), project=project))
    data(call(colleague, "cairn_log", log_args("ran tests"), project=project))
    assert log_contents(agent, project) == ["ran tests", "ran tests"]


def test_a_failed_call_leaves_nothing_to_replay(agent, project):
    refused = call(agent, "cairn_log", {**log_args("on a branch to come"), "branchName": "later"}, project=project)
    assert refused.is_error
    create_branch(agent, project, "later")
    retried = data(call(agent, "cairn_log", {**log_args("on a branch to come"), "branchName": "later"},
                        project=project))
    assert retried["sequenceNumber"] == 1


def test_search_finds_milestones_in_the_project_or_in_all_projects(agent, project):
    stored(agent, project, 1, thisContribution="tuned the eviction policy of the cache")
    ok(agent.post("/api/v1/memory/projects", json={"projectId": "second", "name": "S", "roadmap": ""}))
    stored(agent, "second", 2, thisContribution="eviction bug in the second project")
    here = data(call(agent, "cairn_search", {"query": "eviction"}, project=project))
    assert [hit["projectId"] for hit in here["milestones"]] == [project]
    everywhere = data(call(agent, "cairn_search", {"query": "eviction", "allProjects": True}, project=project))
    assert {hit["projectId"] for hit in everywhere["milestones"]} == {project, "second"}


def test_remember_stores_a_fact_once_as_searchable_knowledge(agent, project):
    fact = "The staging database is read-only on Sundays."
    first = data(call(agent, "cairn_remember", {"summary": fact}, project=project))
    again = data(call(agent, "cairn_remember", {"summary": fact}, project=project))
    assert first["promoted"] is True
    assert again["knowledgeId"] == first["knowledgeId"]
    assert [item["summary"] for item in knowledge.list_all(agent.tenant, project)] == [fact]


def test_errors_are_tool_errors_with_the_apis_message(agent, caller, project):
    unknown = call(agent, "cairn_merge", {"sourceBranch": "nope", "mergeSummary": "s", "agentId": "a"},
                   project=project)
    assert unknown.is_error
    assert "not_found" in text(unknown)
    invalid = call(agent, "cairn_log", {"phase": "dream", "content": "c", "agentId": "a"}, project=project)
    assert invalid.is_error
    assert "phase" in text(invalid)
    stranger = call(caller(), "cairn_context", {"view": "overview"}, project=project)  # another tenant
    assert stranger.is_error
    assert "not_found" in text(stranger)


def test_a_viewer_reads_but_cannot_write(agent, caller, project):
    viewer = caller(agent.tenant, roles=("viewer",))
    refused = call(viewer, "cairn_commit", commit_args(1), project=project)
    assert refused.is_error
    assert "forbidden: writing needs one of the roles" in text(refused)
    assert ok(agent.get(url(project, "/recall"), params={"view": "branch"}))["page"]["total"] == 0
    assert not call(viewer, "cairn_context", {}, project=project).is_error


def test_a_result_over_10000_tokens_is_cut_with_a_note(agent, project):
    for tag in range(2):
        stored(agent, project, tag, cumulativeProgress="p" * 50_000)
    answer = text(call(agent, "cairn_context", {"view": "branch"}, project=project))
    assert estimate(answer) <= 10_000
    assert answer.endswith("ask for less (limit, tokens, a narrower view)]")




def test_without_a_token_mcp_is_401_with_www_authenticate(http, agent):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    response = http.post("/mcp", json=initialize)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"
    stream = http.get("/mcp", headers=agent.headers())
    assert stream.status_code == 405
    assert stream.headers["allow"] == "POST"


def test_a_client_of_the_2025_handshake_is_served_too(http, agent, project):
    headers = {**agent.headers(), "accept": "application/json, text/event-stream", "x-cairn-project": project}
    hello = http.post("/mcp", headers=headers, json={
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "old", "version": "1"}}})
    assert hello.status_code == 200
    assert hello.headers["content-type"] == "application/json"
    assert hello.json()["result"]["protocolVersion"] == "2025-06-18"
    called = http.post("/mcp", headers={**headers, "mcp-protocol-version": "2025-06-18"}, json={
        "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "cairn_context", "arguments": {}}})
    result = called.json()["result"]
    assert result["isError"] is False
    assert result["content"][0]["text"].startswith(f"# Cairn brief: project `{project}`")


def test_a_malformed_message_is_a_json_rpc_error_not_a_5xx(http, agent):
    headers = {**agent.headers(), "content-type": "application/json"}
    garbled = http.post("/mcp", content=b"{not json", headers=headers)
    assert garbled.status_code == 400
    assert garbled.json()["error"]["code"] == -32700
    assert http.post("/mcp", content=b'{"a": 1}', headers=headers).status_code == 400


def test_the_sample_event_runs_through_the_lambda_handler(agent, project):
    """events/mcp.json (for `sam local invoke`) through McpFunction's real handler: Mangum, auth, the SDK."""
    from cairn_local import ROOT, handlers

    event = json.loads((ROOT / "events" / "mcp.json").read_text())
    event["headers"]["authorization"] = agent.headers()["Authorization"]
    event["headers"]["x-cairn-project"] = project
    response = handlers.invoke("McpFunction", event)
    assert response["statusCode"] == 200, response["body"]
    result = json.loads(response["body"])["result"]
    assert result["isError"] is False
    assert result["content"][0]["text"].startswith(f"# Cairn brief: project `{project}`, branch `main`")
    assert response["headers"]["x-correlation-id"] == "evt-mcp-0001"
    event["headers"].pop("authorization")
    unauthenticated = handlers.invoke("McpFunction", event)
    assert unauthenticated["statusCode"] == 401
    assert unauthenticated["headers"]["www-authenticate"] == "Bearer"
