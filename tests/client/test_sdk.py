"""The SDK: every memory route of openapi.json, with the same fields; idempotency keys reused by retries; bounded
retries with backoff on 429, 5xx and timeouts, never on other 4xx; paging."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import httpx
import pytest
from cairn_client import sdk
from cairn_client.errors import ApiError

OPENAPI = json.loads((Path(__file__).parents[2] / "openapi.json").read_text())
NOT_MEMORY = {"/healthz", "/health", "/api/v1/health", "/.well-known/engine-status", "/api/v1/openapi", "/mcp"}


def test_the_sdk_covers_every_route_of_the_api():
    documented = {(method.upper(), path) for path, methods in OPENAPI["paths"].items() for method in methods
                  if path not in NOT_MEMORY}

    assert {(operation.method, operation.path) for operation in sdk.OPERATIONS.values()} == documented


@pytest.mark.parametrize("name", sorted(sdk.OPERATIONS))
def test_each_body_and_query_has_the_api_fields(name):
    operation = sdk.OPERATIONS[name]
    spec = OPERATIONS_SPEC[(operation.method, operation.path)]
    schema = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    query = {parameter["name"] for parameter in spec.get("parameters", []) if parameter["in"] == "query"}
    assert set(operation.query) == query
    if schema is None:
        assert operation.body is None
        return
    if "$ref" not in schema:  # metadata: any JSON object
        assert operation.body is dict
        return
    component = OPERATIONS_SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    assert operation.body is not None
    hints = typing.get_type_hints(operation.body)
    assert set(hints) == set(component["properties"])
    assert operation.body.__required_keys__ == set(component.get("required", []))  # type: ignore[attr-defined]


OPERATIONS_SPEC = {(method.upper(), path): spec for path, methods in OPENAPI["paths"].items()
                   for method, spec in methods.items()}
OPERATIONS_SCHEMAS = OPENAPI["components"]["schemas"]


class Script(httpx.BaseTransport):
    """Answers requests from a list of responses (or exceptions); records what was asked."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(transport: Script, **options) -> sdk.CairnClient:
    return sdk.CairnClient("http://cairn.test", "tok", transport=transport, backoff=0.001, **options)


def error(status: int, code: str = "x", **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "m", "field": "f"}}, headers=headers)


def test_mutating_calls_carry_one_idempotency_key_across_retries():
    script = Script(error(503), httpx.ReadTimeout("slow"), httpx.Response(200, json={"entryId": "e"}))

    client(script).append_log("p", {"agentId": "a", "phase": "thought", "content": "c"})

    keys = {request.headers["Idempotency-Key"] for request in script.requests}
    assert len(script.requests) == 3
    assert len(keys) == 1
    assert script.requests[0].headers["Authorization"] == "Bearer tok"


def test_reads_carry_no_idempotency_key():
    script = Script(httpx.Response(200, json={"projects": []}))

    client(script).list_projects()

    assert "Idempotency-Key" not in script.requests[0].headers


def test_retries_are_bounded():
    script = Script(*[error(429, "rate_limited", **{"Retry-After": "0"})] * 3)

    with pytest.raises(ApiError) as raised:
        client(script, retries=2).metrics_summary("p")

    assert raised.value.status == 429
    assert len(script.requests) == 3


def test_other_client_errors_are_not_retried():
    script = Script(error(404, "not_found"))

    with pytest.raises(ApiError) as raised:
        client(script).get_project("p")

    assert (raised.value.status, raised.value.code, raised.value.field) == (404, "not_found", "f")
    assert len(script.requests) == 1


def test_a_deadline_stops_retrying():
    import time

    script = Script(error(503), error(503), error(503))

    with pytest.raises(ApiError):
        sdk.CairnClient("http://cairn.test", "t", transport=script, backoff=5, deadline=time.monotonic() + 1).health()

    assert len(script.requests) == 1


def test_path_parameters_are_one_segment_each():
    script = Script(httpx.Response(200, json={}))

    client(script).get_branch("shop", "feature/retries")

    assert script.requests[0].url.raw_path == b"/api/v1/memory/projects/shop/branches/feature%2Fretries"


def test_iter_log_pages_through_the_whole_log():
    def page(offset: int, count: int) -> httpx.Response:
        entries = [{"sequenceNumber": offset + index} for index in range(count)]
        return httpx.Response(200, json={"view": "log", "logEntries": entries,
                                         "page": {"limit": 2, "offset": offset, "returned": count, "total": 5}})

    script = Script(page(0, 2), page(2, 2), page(4, 1))

    entries = list(client(script).iter_log("p", page_size=2))

    assert [entry["sequenceNumber"] for entry in entries] == [0, 1, 2, 3, 4]
    assert [request.url.params["offset"] for request in script.requests] == ["0", "2", "4"]


# The response fields the client reads (hooks, commit, CLI), by the schema that must hold them.
READ_FIELDS = {
    "Recall": {"brief", "milestonesRecalled", "logEntries", "milestones", "branches", "page"},
    "Page": {"total"},
    "Branch": {"branchName", "purpose"},
    "Milestone": {"cumulativeProgress", "thisContribution", "milestoneId", "branchName", "projectId"},
    "LogEntry": {"sequenceNumber", "createdAt", "phase", "content"},
    "SearchResults": {"milestones"},
    "ProjectList": {"projects"},
}


@pytest.mark.parametrize("schema", sorted(READ_FIELDS))
def test_the_response_fields_the_client_reads_are_in_the_api(schema):
    assert READ_FIELDS[schema] <= set(OPERATIONS_SCHEMAS[schema]["properties"])
