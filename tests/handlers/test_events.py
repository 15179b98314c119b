"""The sample events in events/ (for ``sam local invoke``) run through each function's real Lambda
handler, as Lambda would call it: API Gateway HTTP API payload 2.0 in, a proxy response out."""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from cairn_local import ROOT, handlers, template
from cairn_local.gateway import Gateway
from cairn_local.tokens import mint
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.fresh_table  # one fixed tenant for every test

EVENTS = ROOT / "events"
PLACEHOLDER = "REPLACE_WITH_make_token"
TENANT = "tenant-events"
PROJECT = "synapse-backend"  # the project events/memory_context.json asks about


def _functions_by_directory() -> dict[str, template.Function]:
    return {function.code_uri.name: function for function in template.functions()}


def _event_files() -> list[Path]:
    return sorted(EVENTS.glob("*.json"))


def _load(name: str, token: str | None = None) -> dict[str, Any]:
    event = json.loads((EVENTS / f"{name}.json").read_text())
    if token is not None:
        headers = event["headers"]
        assert PLACEHOLDER in headers["authorization"], "the event should carry the token placeholder"
        headers["authorization"] = headers["authorization"].replace(PLACEHOLDER, token)
    return event


def _invoke(logical_id: str, event: dict[str, Any]) -> Any:
    return handlers.invoke(logical_id, copy.deepcopy(event))


def _token(tenant: str = TENANT, roles: tuple[str, ...] = ("agent", "admin"), **claims: Any) -> str:
    return mint(tenant, f"user-{tenant}", list(roles), secret=TEST_SECRET, **claims)


def _json(response: dict[str, Any]) -> Any:
    assert response["isBase64Encoded"] is False
    assert response["headers"]["content-type"].startswith("application/json")
    return json.loads(response["body"])


def _assert_unauthenticated(response: dict[str, Any]) -> None:
    assert response["statusCode"] == 401
    body = _json(response)
    assert set(body) == {"error", "correlationId"}
    assert body["error"]["code"] == "unauthenticated"
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert body["correlationId"] == response["headers"]["x-correlation-id"]
    assert response["headers"]["www-authenticate"] == "Bearer"


# --- events and template cannot drift --------------------------------------------------------------------------


def test_every_event_file_names_a_template_function() -> None:
    functions = _functions_by_directory()
    assert _event_files(), "events/ holds no sample events"
    for path in _event_files():
        assert path.stem in functions, f"{path.name} matches no function's CodeUri in template.yaml"


def test_every_http_function_has_an_event_file() -> None:
    stems = {path.stem for path in _event_files()}
    for directory, function in _functions_by_directory().items():
        if function.routes:
            assert directory in stems, f"{function.logical_id} has routes but no events/{directory}.json"


@pytest.mark.parametrize("path", _event_files(), ids=lambda path: path.stem)
def test_http_events_match_a_route_of_their_function(path: Path) -> None:
    function = _functions_by_directory()[path.stem]
    event = json.loads(path.read_text())
    if not function.routes:
        assert "requestContext" not in event, f"{path.name} is not for an HTTP function"
        return
    assert event["version"] == "2.0"
    context = event["requestContext"]
    method, route_path = event["routeKey"].split(" ", 1)
    assert context["routeKey"] == event["routeKey"]
    assert context["http"]["method"] == method
    assert context["http"]["path"] == event["rawPath"]
    route = next((r for r in function.routes if (r.method, r.path) == (method, route_path)), None)
    assert route is not None, f"{path.name}: {event['routeKey']} is not a route of {function.logical_id}"
    assert route.pattern.match(event["rawPath"])
    assert Gateway().route(method, event["rawPath"]) == function.logical_id
    placeholders = re.findall(r"\{([^}+]+)\+?\}", route_path)
    assert sorted(event.get("pathParameters", {})) == sorted(placeholders)


# --- the events through the real handlers ----------------------------------------------------------------------


def test_platform_event(aws: dict[str, str]) -> None:
    response = _invoke("PlatformFunction", _load("platform"))
    assert response["statusCode"] == 200
    assert _json(response) == {"ok": True}
    assert response["headers"]["x-correlation-id"]


def test_memory_projects_event_lists_the_tenants_projects(aws: dict[str, str]) -> None:
    from cairn.memory.service import projects

    projects.create(TENANT, PROJECT, "Synapse Backend", "Build it")
    projects.create("another-tenant", "hidden", "Not yours", "")

    response = _invoke("MemoryProjectsFunction", _load("memory_projects", _token()))

    assert response["statusCode"] == 200, response["body"]
    body = _json(response)
    assert [project["projectId"] for project in body["projects"]] == [PROJECT]
    project = body["projects"][0]
    assert project["tenantId"] == TENANT
    assert project["activeBranches"] == ["main"]
    assert project["milestoneCount"] == 0
    uuid.UUID(response["headers"]["x-correlation-id"])  # generated, since the event sends none


def test_memory_projects_event_creates_a_project_through_the_handler(aws: dict[str, str]) -> None:
    """A POST variant of the same event: body, content type and routeKey as API Gateway sends them."""
    event = _load("memory_projects", _token())
    event["routeKey"] = event["requestContext"]["routeKey"] = "POST /api/v1/memory/projects"
    event["requestContext"]["http"]["method"] = "POST"
    event["body"] = json.dumps({"projectId": PROJECT, "name": "Synapse Backend", "roadmap": "Build it"})
    event["headers"]["content-type"] = "application/json"
    event["headers"]["content-length"] = str(len(event["body"]))

    created = _invoke("MemoryProjectsFunction", event)
    listed = _invoke("MemoryProjectsFunction", _load("memory_projects", _token()))

    assert created["statusCode"] == 200, created["body"]
    assert _json(created)["projectId"] == PROJECT
    assert [project["projectId"] for project in _json(listed)["projects"]] == [PROJECT]


def test_memory_context_event_recalls_the_branch_view(aws: dict[str, str]) -> None:
    from cairn.memory.service import milestones, projects

    projects.create(TENANT, PROJECT, "Synapse Backend", "Build it")
    stored, deduplicated = milestones.store(TENANT, PROJECT, "main", {
        "branchPurpose": "Primary development branch", "cumulativeProgress": "Scaffolded the service",
        "thisContribution": "Added recall", "agentId": "agent-1", "agentType": "claude-code"})
    assert deduplicated is False

    response = _invoke("MemoryContextFunction", _load("memory_context", _token()))

    assert response["statusCode"] == 200, response["body"]
    body = _json(response)
    assert body["view"] == "branch"
    assert body["page"] == {"limit": 5, "offset": 0, "returned": 1, "total": 1}
    assert [milestone["milestoneId"] for milestone in body["milestones"]] == [stored["milestoneId"]]
    assert body["milestones"][0]["thisContribution"] == "Added recall"
    assert body["branches"][0]["branchName"] == "main"
    assert response["headers"]["x-correlation-id"] == "evt-recall-0001"  # the event's own id is echoed


def test_memory_context_event_for_a_missing_project_is_404(aws: dict[str, str]) -> None:
    response = _invoke("MemoryContextFunction", _load("memory_context", _token()))

    assert response["statusCode"] == 404
    body = _json(response)
    assert body["error"]["code"] == "not_found"
    assert body["correlationId"] == "evt-recall-0001"


def test_contributors_event_returns_the_contributors_activity(aws: dict[str, str]) -> None:
    from cairn.insights.store import contributors
    from cairn.memory.service import milestones, projects

    projects.create(TENANT, PROJECT, "Synapse Backend", "Build it")
    stored, _ = milestones.store(TENANT, PROJECT, "main", {
        "branchPurpose": "Primary development branch", "cumulativeProgress": "Scaffolded the service",
        "thisContribution": "Added recall", "agentId": "claude-code-alice-macbook", "agentType": "claude-code"})
    contributors.upsert(TENANT, "alice", {"displayName": "Alice Chen", "agentIds": ["claude-code-alice-macbook"]})
    contributors.upsert("another-tenant", "alice", {"displayName": "Not yours", "agentIds": []})

    response = _invoke("ContributorsFunction", _load("contributors", _token()))

    assert response["statusCode"] == 200, response["body"]
    body = _json(response)
    assert body["contributor"]["tenantId"] == TENANT
    assert body["contributor"]["displayName"] == "Alice Chen"
    assert [milestone["milestoneId"] for milestone in body["milestones"]] == [stored["milestoneId"]]
    assert body["totalMilestones"] == 1
    assert response["headers"]["x-correlation-id"] == "evt-activity-0001"


def test_contributors_event_for_an_unknown_contributor_is_404(aws: dict[str, str]) -> None:
    response = _invoke("ContributorsFunction", _load("contributors", _token()))

    assert response["statusCode"] == 404
    assert _json(response)["error"]["code"] == "not_found"


def test_memory_insights_event_answers_an_intelligence_query(aws: dict[str, str]) -> None:
    from cairn.memory.service import milestones, projects

    projects.create(TENANT, PROJECT, "Synapse Backend", "Build it")
    projects.create("another-tenant", PROJECT, "Not yours", "")
    milestones.store("another-tenant", PROJECT, "main", {
        "branchPurpose": "Auth", "cumulativeProgress": "", "thisContribution": "Authentication system secrets",
        "agentId": "agent-2", "agentType": "claude-code"})
    stored, _ = milestones.store(TENANT, PROJECT, "main", {
        "branchPurpose": "JWT authentication", "cumulativeProgress": "Login works",
        "thisContribution": "Added JWT token exchange to the authentication system.", "agentId": "agent-1",
        "agentType": "claude-code"})

    response = _invoke("MemoryInsightsFunction", _load("memory_insights", _token()))

    assert response["statusCode"] == 200, response["body"]
    body = _json(response)
    assert body["projectsSearched"] == [PROJECT]
    assert body["answeredBy"] == "extractive"
    assert [source["milestoneId"] for source in body["sources"]] == [stored["milestoneId"]]
    assert body["sources"][0]["excerpt"] == "Added JWT token exchange to the authentication system."
    assert "[1]" in body["answer"]
    assert response["headers"]["x-correlation-id"] == "evt-intelligence-0001"


@pytest.mark.parametrize(("name", "logical_id"), [("memory_projects", "MemoryProjectsFunction"),
                                                  ("memory_context", "MemoryContextFunction"),
                                                  ("contributors", "ContributorsFunction"),
                                                  ("memory_insights", "MemoryInsightsFunction")])
@pytest.mark.parametrize("token", ["not-a-jwt", "expired", "wrong-secret", "placeholder"])
def test_events_with_a_bad_token_are_401(aws: dict[str, str], name: str, logical_id: str, token: str) -> None:
    from cairn.memory.service import projects

    projects.create(TENANT, PROJECT, "Synapse Backend", "Build it")
    bad = {
        "not-a-jwt": "not-a-jwt",
        "expired": _token(exp=1_700_000_000),
        "wrong-secret": mint(TENANT, "user", ["admin"], secret="another-secret-" + "y" * 32),
        "placeholder": None,  # the event as committed, placeholder and all
    }[token]

    response = _invoke(logical_id, _load(name, bad))

    _assert_unauthenticated(response)


def test_event_without_authorization_header_is_401(aws: dict[str, str]) -> None:
    event = _load("memory_projects")
    del event["headers"]["authorization"]

    _assert_unauthenticated(_invoke("MemoryProjectsFunction", event))


def _deployed_stage() -> str:
    """The HttpApi's stage as deployed with the template's defaults."""
    (api,) = template.resources("AWS::Serverless::HttpApi").values()
    stage = api.get("Properties", {}).get("StageName", "$default")
    if isinstance(stage, dict) and "Ref" in stage:
        return template.parameter_defaults()[stage["Ref"]]
    return str(stage)


# On a named stage API Gateway puts the stage in front of rawPath and requestContext.http.path
# ("/dev/api/v1/..."), and Mangum routes on that path as it is: every route would answer 404 in AWS.
# The template therefore serves the API on "$default"; this test fails if a named stage comes back.
def test_event_on_the_templates_named_stage_is_routed(aws: dict[str, str]) -> None:
    stage = _deployed_stage()
    event = _load("platform")
    event["requestContext"]["stage"] = stage
    if stage != "$default":
        event["rawPath"] = event["requestContext"]["http"]["path"] = f"/{stage}{event['rawPath']}"

    response = _invoke("PlatformFunction", event)

    assert response["statusCode"] == 200, response["body"]


# --- the purge worker -------------------------------------------------------------------------------------------


def test_project_purge_event_purges_a_deleting_project(aws: dict[str, str]) -> None:
    from cairn.aws.keys import project_pk
    from cairn.aws.table import table
    from cairn.memory.service import projects

    event = _load("project_purge")
    tenant, project_id = event["tenantId"], event["projectId"]
    projects.create(tenant, project_id, "Synapse Backend", "Build it")
    projects.mark_deleting(tenant, project_id)

    first = _invoke("ProjectPurgeFunction", event)
    second = _invoke("ProjectPurgeFunction", event)

    assert first == {"tenantId": tenant, "projectId": project_id, "done": False, "deletedItems": 3,
                     "deletedBlobs": 0}  # the main branch's descriptor, milestone head and log head
    assert second == {"tenantId": tenant, "projectId": project_id, "done": True, "deletedItems": 0,
                      "deletedBlobs": 0}
    assert table().query(project_pk(tenant, project_id)).items == []
    assert _invoke("ProjectPurgeFunction", event)["done"] is True  # repeating a finished purge is harmless



def test_sources_event_answers_the_status_of_the_tenants_source(aws: dict[str, str]) -> None:
    from cairn.memory.service import projects
    from cairn.sources.service import sources

    projects.create(TENANT, PROJECT, "Synapse Backend", "Build it")
    sources.create(TENANT, "slack-eng", PROJECT, "slack", {"channelId": "C0123456789"})

    response = _invoke("SourcesFunction", _load("sources", _token()))
    someone_else = _invoke("SourcesFunction", _load("sources", _token("another-tenant")))

    assert response["statusCode"] == 200, response["body"]
    body = _json(response)
    assert body["sourceId"] == "slack-eng"
    assert body["state"] == "idle"
    assert someone_else["statusCode"] == 404


def test_task_runs_event_lists_the_model_catalog(aws: dict[str, str]) -> None:
    response = _invoke("TaskRunsFunction", _load("task_runs"))

    assert response["statusCode"] == 200
    assert [model["id"] for model in _json(response)["models"]] == ["strict light", "strict pro"]


def test_project_indexes_event_queries_the_permits_project_index(aws: dict[str, str]) -> None:
    from tests.tasks_helpers import mint_permit, register_installation

    installation = "ari:cloud:ecosystem::installation/events"
    register_installation(installation)
    response = _invoke("ProjectIndexesFunction", _load("project_indexes", mint_permit(installation, "AUTH", "AUTH-1")))

    assert response["statusCode"] == 200
    assert _json(response) == {"ok": True, "updatedAt": None, "matches": {}}


@pytest.mark.parametrize(("name", "logical_id"), [("platform_workflows", "PlatformWorkflowsFunction"),
                                                  ("platform_events", "PlatformEventsFunction"),
                                                  ("platform_jobs", "PlatformJobsFunction"),
                                                  ("ops_view", "OpsViewFunction"),
                                                  ("webhooks", "WebhooksFunction")])
def test_platform_list_events_answer_the_list_envelope(aws: dict[str, str], name: str, logical_id: str) -> None:
    response = _invoke(logical_id, _load(name, _token()))

    assert response["statusCode"] == 200, response["body"]
    body = _json(response)
    assert body["page"]["limit"] == 10
    assert body["page"]["returned"] == len(body["data"])
