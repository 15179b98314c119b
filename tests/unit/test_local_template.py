"""scripts/cairn_local: what it reads from template.yaml, and how the local gateway routes."""

from __future__ import annotations

import json

import pytest

from cairn_local import ROOT, template
from cairn_local.gateway import Gateway
from cairn_local.resolve import LocalNames, function_arn
from cairn_local.template import _route_pattern


def test_exactly_one_table_with_pk_sk_and_its_indexes() -> None:
    assert len(template.resources("AWS::DynamoDB::Table")) == 1
    logical_id, arguments = template.table_definition()
    assert logical_id == "CairnTable"
    assert arguments["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"},
                                      {"AttributeName": "SK", "KeyType": "RANGE"}]
    indexes = {index["IndexName"]: index for index in arguments["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"GSI1", "GSI2", "GSI3"}
    for name, index in indexes.items():
        assert index["KeySchema"] == [{"AttributeName": f"{name}PK", "KeyType": "HASH"},
                                      {"AttributeName": f"{name}SK", "KeyType": "RANGE"}]
        assert index["Projection"] == {"ProjectionType": "ALL"}
    defined = {definition["AttributeName"]: definition["AttributeType"]
               for definition in arguments["AttributeDefinitions"]}
    assert defined == {"PK": "S", "SK": "S", **{f"{name}{part}": "S" for name in indexes for part in ("PK", "SK")}}
    assert arguments["BillingMode"] == "PAY_PER_REQUEST"
    assert arguments["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert template.ttl_attribute() == "expiresAt"


def test_only_refuses_anything_but_one() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        template.only("AWS::Serverless::Function")
    with pytest.raises(ValueError, match="exactly one"):
        template.only("AWS::SQS::Queue")


def test_functions_and_their_routes() -> None:
    functions = {function.logical_id: function for function in template.functions()}
    assert set(functions) == {"MemoryProjectsFunction", "MemoryContextFunction", "MemoryInsightsFunction",
                              "ContributorsFunction", "PlatformFunction", "ProjectPurgeFunction",
                              "SearchIndexerFunction", "SourceSyncFunction", "SourcesFunction",
                              "SourceDispatcherFunction", "IntegrationsFunction", "McpFunction",
                              "TaskRunsFunction", "ProjectIndexesFunction", "TaskRunFunction", "TaskAccessFunction",
                              "TaskActivityFunction", "PlatformWorkflowsFunction",
                              "WorkflowEventsFunction", "OpsViewFunction",
                              "PlatformJobsFunction", "PlatformEventsFunction",
                              "EventPublisherFunction", "JobWorkerFunction", "ImportStarterFunction",
                              "WebhooksFunction", "WebhookDeliveryFunction"}
    for function in functions.values():
        assert function.module_path.is_file(), function.module_path
        assert function.module_path.is_relative_to(ROOT / "functions")
        assert function.attribute == "handler"
    routes = {logical_id: {(route.method, route.path) for route in function.routes}
              for logical_id, function in functions.items()}
    assert ("POST", "/api/v1/memory/projects") in routes["MemoryProjectsFunction"]
    assert ("GET", "/api/v1/memory/projects/{id}/recall") in routes["MemoryContextFunction"]
    assert ("POST", "/api/v1/memory/projects/{id}/branches/{name}/abandon") in routes["MemoryContextFunction"]
    assert routes["PlatformFunction"] >= {("GET", "/healthz"), ("GET", "/health"), ("GET", "/api/v1/health"),
                                          ("GET", "/.well-known/engine-status"), ("GET", "/api/v1/openapi")}
    assert routes["PlatformWorkflowsFunction"] == {("GET", "/api/v1/workflow-executions"),
                                                   ("GET", "/api/v1/workflow-executions/{id}"),
                                                   ("POST", "/api/v1/workflow-executions/{id}/retry"),
                                                   ("POST", "/api/v1/workflow-executions/{id}/cancel"),
                                                   ("POST", "/api/v1/webhooks/workflow-completed")}
    assert routes["OpsViewFunction"] == {
        ("GET", "/api/v1/agent-runtime/agents"), ("GET", "/api/v1/agent-runtime/health"),
        ("GET", "/api/v1/agent-runtime/queues"), ("GET", "/api/v1/agent-runtime/failures"),
        ("POST", "/api/v1/agent-runtime/outbox-failures/{id}/retry"),
        ("POST", "/api/v1/agent-runtime/job-failures/{id}/retry")}
    assert routes["PlatformEventsFunction"] == {("GET", "/api/v1/events/outbox")}
    assert routes["PlatformJobsFunction"] == {("GET", "/api/v1/jobs"), ("GET", "/api/v1/jobs/{id}"),
                                              ("POST", "/api/v1/exports"), ("POST", "/api/v1/imports")}
    assert ("POST", "/api/v1/memory/search") in routes["MemoryInsightsFunction"]
    assert ("GET", "/api/v1/memory/contributors/{id}/activity") in routes["ContributorsFunction"]
    assert routes["McpFunction"] == {("POST", "/mcp"), ("GET", "/mcp")}
    assert routes["ProjectPurgeFunction"] == set()  # a state machine task, not an HTTP route
    assert routes["SearchIndexerFunction"] == set()  # fed by the table's stream
    assert routes["EventPublisherFunction"] == set()  # fed by the table's stream (outbox events)
    assert routes["WebhookDeliveryFunction"] == set()  # Cairn's bus and the webhook-delivery state machine
    assert routes["WebhooksFunction"] == {
        ("POST", "/api/v1/webhook-subscriptions"), ("GET", "/api/v1/webhook-subscriptions"),
        ("GET", "/api/v1/webhook-subscriptions/{id}"), ("DELETE", "/api/v1/webhook-subscriptions/{id}"),
        ("GET", "/api/v1/webhook-subscriptions/{id}/deliveries")}
    assert routes["SourceSyncFunction"] == set()  # the source-sync state machine's task
    assert routes["SourceDispatcherFunction"] == set()  # an EventBridge schedule's target
    assert routes["TaskRunFunction"] == set()  # the task-run state machine's worker
    assert routes["JobWorkerFunction"] == set()  # the export and import state machines' worker
    assert routes["ImportStarterFunction"] == set()  # the bucket's Object Created rule's target


def test_no_route_is_declared_twice() -> None:
    declared = [(route.method, route.path) for function in template.functions() for route in function.routes]
    assert len(declared) == len(set(declared))


@pytest.mark.parametrize(("logical_id", "state", "function", "name"), [
    ("ProjectPurgeStateMachine", "PurgePage", "ProjectPurgeFunction", "cairn-local-project-purge"),
    ("SourceSyncStateMachine", "FetchPage", "SourceSyncFunction", "cairn-local-source-sync"),
    ("TaskRunStateMachine", "RunModel", "TaskRunFunction", "cairn-local-task-run"),
    ("ExportStateMachine", "Step", "JobWorkerFunction", "cairn-local-export"),
    ("ImportStateMachine", "Step", "JobWorkerFunction", "cairn-local-import"),
])
def test_state_machine_definition_parses_and_uses_its_substitutions(logical_id: str, state: str, function: str,
                                                                    name: str) -> None:
    machine = _machines()[logical_id]
    definition = json.loads(machine.definition)
    assert definition["StartAt"] in definition["States"]
    assert machine.substitutions
    for substitution in machine.substitutions:
        assert f"${{{substitution}}}" in machine.definition, f"substitution {substitution} is not used"
    names = LocalNames()
    resolved = machine.definition
    for substitution, node in machine.substitutions.items():
        resolved = resolved.replace(f"${{{substitution}}}", str(names.value(node)))
    assert "${" not in resolved
    task = json.loads(resolved)["States"][state]
    assert task["Parameters"]["FunctionName"] == function_arn(function)
    assert names.value(machine.name) == name


def _machines() -> dict[str, template.StateMachine]:
    return {machine.logical_id: machine for machine in template.state_machines()}


@pytest.mark.parametrize("logical_id", [machine.logical_id for machine in template.state_machines()])
def test_every_state_transition_names_an_existing_state(logical_id: str) -> None:
    states = json.loads(_machines()[logical_id].definition)["States"]
    for state in states.values():
        choices = [choice.get("Next") for choice in state.get("Choices", [])]
        catches = [catch.get("Next") for catch in state.get("Catch", [])]
        targets = [state.get("Next"), state.get("Default"), *choices, *catches]
        for target in filter(None, targets):
            assert target in states


@pytest.mark.parametrize(("path", "matches"), [
    ("/api/v1/memory/projects/p1/recall", True),
    ("/api/v1/memory/projects/p%2Fq/recall", True),  # an encoded slash stays inside its segment
    ("/api/v1/memory/projects/p/q/recall", False),  # {id} is one segment only
    ("/api/v1/memory/projects//recall", False),
    ("/api/v1/memory/projects/p1/recall/", False),
    ("/api/v1/memory/projects/p1/recallx", False),
    ("/api/v1/memory/projects/p1/recall?view=log", False),  # the query string is not part of the path
])
def test_route_pattern_placeholder_is_one_segment(path: str, matches: bool) -> None:
    assert bool(_route_pattern("/api/v1/memory/projects/{id}/recall").match(path)) is matches


def test_route_pattern_greedy_placeholder_spans_segments() -> None:
    pattern = _route_pattern("/files/{proxy+}")
    assert pattern.match("/files/a/b/c")
    assert not pattern.match("/files/")


def test_route_pattern_escapes_literal_text() -> None:
    pattern = _route_pattern("/v1.0/items/{id}")
    assert pattern.match("/v1.0/items/x")
    assert not pattern.match("/v1x0/items/x")


@pytest.mark.parametrize(("method", "path", "logical_id"), [
    ("GET", "/api/v1/memory/projects", "MemoryProjectsFunction"),
    ("POST", "/api/v1/memory/projects", "MemoryProjectsFunction"),
    ("GET", "/api/v1/memory/projects/p1", "MemoryProjectsFunction"),
    ("DELETE", "/api/v1/memory/projects/p1", "MemoryProjectsFunction"),
    ("PUT", "/api/v1/memory/projects/p1/roadmap", "MemoryProjectsFunction"),
    ("POST", "/api/v1/memory/projects/p1/store", "MemoryContextFunction"),
    ("GET", "/api/v1/memory/projects/p1/recall", "MemoryContextFunction"),
    ("POST", "/api/v1/memory/projects/p1/merge", "MemoryContextFunction"),
    ("GET", "/api/v1/memory/projects/p1/branches/feature-x", "MemoryContextFunction"),
    ("POST", "/api/v1/memory/projects/p1/branches/feature%2Fx/abandon", "MemoryContextFunction"),
    ("PUT", "/api/v1/memory/projects/p1/metadata/architecture", "MemoryContextFunction"),
    ("GET", "/healthz", "PlatformFunction"),
    ("GET", "/api/v1/health", "PlatformFunction"),
    ("GET", "/health", "PlatformFunction"),
    ("GET", "/.well-known/engine-status", "PlatformFunction"),
    ("GET", "/nope", None),
    ("DELETE", "/healthz", None),  # right path, wrong method
    ("GET", "/api/v1/memory/projects/p1/store", None),
    ("GET", "/api/v1/memory/projects/p1/branches/feature/x", None),  # an unencoded slash is two segments
    ("POST", "/api/v1/memory/projects/", None),
])
def test_gateway_routes_like_the_template(method: str, path: str, logical_id: str | None) -> None:
    assert Gateway().route(method, path) == logical_id


def test_the_gateway_prefers_a_literal_segment_to_a_path_parameter_as_api_gateway_does() -> None:
    from cairn_local.gateway import _specificity

    paths = ["/v1/tasks/{runId}", "/v1/tasks/{taskId}/progress", "/v1/tasks/context", "/v1/tasks/{runId}/start",
             "/v1/{proxy+}"]

    assert sorted(paths, key=_specificity) == ["/v1/tasks/context", "/v1/tasks/{runId}",
                                               "/v1/tasks/{taskId}/progress", "/v1/tasks/{runId}/start",
                                               "/v1/{proxy+}"]
