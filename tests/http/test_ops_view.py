"""The ops view's agents: every agent that stored a milestone in the caller's tenant, with its count and first and
last activity, in the platform list envelope; another tenant's agents are never seen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.http.helpers import create_branch, create_project, merge_body, ok, store, stored, url

AGENTS = "/api/v1/agent-runtime/agents"


def _by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {agent["id"]: agent for agent in body["data"]}


def test_each_agent_that_stored_milestones_is_listed_with_its_count_and_activity(agent, clock) -> None:
    alpha = create_project(agent)["projectId"]
    beta = create_project(agent)["projectId"]
    first = stored(agent, alpha, 1, agentId="claude-code-1")["createdAt"]
    clock.advance(timedelta(seconds=5))
    stored(agent, alpha, 2, agentId="claude-code-1")
    clock.advance(timedelta(seconds=5))
    cursor = stored(agent, alpha, 3, agentId="cursor-7")["createdAt"]
    clock.advance(timedelta(seconds=5))
    last = stored(agent, beta, 4, agentId="claude-code-1")["createdAt"]

    body = ok(agent.get(AGENTS))

    assert body["data"] == [  # newest activity first by default
        {"id": "claude-code-1", "agentId": "claude-code-1", "milestoneCount": 3, "firstActivityAt": first,
         "lastActivityAt": last, "lastProjectId": beta},
        {"id": "cursor-7", "agentId": "cursor-7", "milestoneCount": 1, "firstActivityAt": cursor,
         "lastActivityAt": cursor, "lastProjectId": alpha},
    ]
    assert body["page"] == {"limit": 25, "offset": 0, "returned": 2, "total": 2}
    assert body["sort"] == {"by": "lastActivityAt", "order": "desc"}


def test_a_deduplicated_store_counts_nothing_and_a_merge_counts_for_the_merging_agent(agent) -> None:
    project = create_project(agent)["projectId"]
    stored(agent, project, 1, agentId="claude-code-1")
    assert store(agent, project, 1, agentId="claude-code-1").headers["x-cairn-deduplicated"] == "true"
    create_branch(agent, project, "feature")
    stored(agent, project, 2, agentId="claude-code-1", branchName="feature")
    ok(agent.post(url(project, "/merge"), json=merge_body("feature", agentId="merger-1")))

    agents = _by_id(ok(agent.get(AGENTS)))

    assert agents["claude-code-1"]["milestoneCount"] == 2
    assert agents["merger-1"]["milestoneCount"] == 1


def test_another_tenants_agents_are_not_seen(agent, caller) -> None:
    stored(agent, create_project(agent)["projectId"], agentId="claude-code-1")
    other = caller(roles=("viewer",))

    body = ok(other.get(AGENTS))

    assert body["data"] == []
    assert body["page"]["total"] == 0


def test_the_list_conventions_sort_filter_and_page(agent) -> None:
    project = create_project(agent)["projectId"]
    for tag, agent_id in enumerate(["a-1", "b-2", "b-2", "c-3", "c-3", "c-3"]):
        stored(agent, project, tag, agentId=agent_id)

    by_count = ok(agent.get(AGENTS, params={"sortBy": "milestoneCount", "sortOrder": "asc", "limit": 2}))
    filtered = ok(agent.get(AGENTS, params={"q": "c-3"}))
    second_page = ok(agent.get(AGENTS, params={"sortBy": "agentId", "sortOrder": "asc", "offset": 2}))

    assert [item["id"] for item in by_count["data"]] == ["a-1", "b-2"]
    assert by_count["page"] == {"limit": 2, "offset": 0, "returned": 2, "total": 3}
    assert [item["id"] for item in filtered["data"]] == ["c-3"]
    assert filtered["filters"] == {"q": "c-3"}
    assert [item["id"] for item in second_page["data"]] == ["c-3"]


def test_an_unknown_sort_field_is_a_400_naming_sortby(agent) -> None:
    response = agent.get(AGENTS, params={"sortBy": "secret"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "sortBy"


def test_every_platform_reader_role_may_read_and_others_may_not(caller) -> None:
    for role in ("viewer", "ops_engineer", "automation_operator", "data_admin"):
        assert caller(roles=(role,)).get(AGENTS).status_code == 200, role
    assert caller(roles=("guest",)).get(AGENTS).status_code == 403
    assert caller().client.get(AGENTS).status_code == 401
