"""Every log line of a request carries its correlation id, and the token is never logged."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from cairn.core.observability import logger
from cairn_local import handlers


class Captured:
    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def take(self) -> str:
        """What was logged since the last take."""
        output = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return output


@pytest.fixture
def info_logs() -> Iterator[Captured]:
    """The JSON lines the Logger writes, at INFO (the tests run it at WARNING)."""
    log = logger()
    handler = log.registered_handler
    captured = Captured()
    # Swapped without setStream, which flushes the old stream: the Logger may have been made while pytest
    # captured an earlier test's output, into a file that is closed by now.
    previous_level, previous_stream = log.log_level, handler.stream
    handler.stream = captured.buffer
    log.setLevel("INFO")
    yield captured
    log.setLevel(previous_level)
    handler.stream = previous_stream


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_every_line_of_a_request_carries_its_correlation_id(agent, project, monkeypatch, info_logs):
    from cairn.memory.service import projects

    def broken(*_args, **_kwargs):
        logger().warning("about to fail")  # written from the sync route's worker thread
        raise RuntimeError("boom")

    monkeypatch.setattr(projects, "get", broken)
    response = agent.get(f"/api/v1/memory/projects/{project}", headers={"x-correlation-id": "trace-log-1"})

    assert response.status_code == 500
    lines = json_lines(info_logs.take())
    assert sorted(line["message"] for line in lines) == ["about to fail", "request handled", "unhandled error"]
    assert {line.get("correlation_id") for line in lines} == {"trace-log-1"}


def test_a_generated_correlation_id_is_the_one_logged_and_tokens_are_not(agent, info_logs):
    response = agent.get("/api/v1/memory/projects")

    output = info_logs.take()
    (line,) = json_lines(output)
    assert line["correlation_id"] == response.headers["x-correlation-id"]
    assert line["status"] == 200
    assert agent.token not in output


def test_the_next_request_does_not_inherit_a_correlation_id(agent, info_logs):
    agent.get("/api/v1/memory/projects", headers={"x-correlation-id": "first-request"})
    agent.get("/api/v1/memory/projects", headers={"x-correlation-id": "second-request"})

    lines = json_lines(info_logs.take())
    assert [line["correlation_id"] for line in lines] == ["first-request", "second-request"]


def test_an_in_process_lambda_invocation_leaves_no_function_keys_on_http_logs(agent, info_logs):
    handlers.invoke("SearchIndexerFunction", {"Records": []})
    info_logs.take()

    agent.get("/api/v1/memory/projects")

    (line,) = json_lines(info_logs.take())
    assert "function_name" not in line


def test_a_stored_milestones_access_line_names_tenant_subject_route_and_status(agent, project, info_logs):
    body = {"branchName": "main", "branchPurpose": "p", "cumulativeProgress": "c", "thisContribution": "t",
            "agentId": "agent-1"}
    agent.post(f"/api/v1/memory/projects/{project}/store", json=body)
    agent.post(f"/api/v1/memory/projects/{project}/store", json={**body, "branchName": "no-such-branch"})

    output = info_logs.take()
    stored, refused = (line for line in json_lines(output) if line["message"] == "request handled")
    assert {key: stored[key] for key in ("tenant", "subject", "route", "status")} == {
        "tenant": agent.tenant, "subject": f"user-{agent.tenant}",
        "route": "/api/v1/memory/projects/{id}/store", "status": 200}
    assert "error_code" not in stored
    assert (refused["status"], refused["error_code"]) == (404, "not_found")
    assert agent.token not in output


def test_an_unauthenticated_request_logs_its_error_code_and_no_tenant(agent, info_logs):
    agent.client.get("/api/v1/memory/projects", headers={"Authorization": "Bearer not-a-jwt"})

    (line,) = json_lines(info_logs.take())
    assert (line["status"], line["error_code"], line["route"]) == (401, "unauthenticated", "/api/v1/memory/projects")
    assert "tenant" not in line
    assert "not-a-jwt" not in json.dumps(line)
