"""Small request builders and assertions shared by the HTTP suite (plain functions, no fixtures)."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from typing import Any

PROJECTS = "/api/v1/memory/projects"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PROJECT_FIELDS = {"projectId", "tenantId", "name", "roadmap", "milestoneCount", "activeBranches", "createdAt",
                  "updatedAt"}
BRANCH_FIELDS = {"projectId", "branchName", "parentBranch", "purpose", "status", "agentId", "createdAt",
                 "abandonReason"}
LOG_FIELDS = {"entryId", "projectId", "branchName", "agentId", "phase", "sequenceNumber", "createdAt"}


def ok(response: Any) -> Any:
    """The body of a response that must be a 200."""
    assert response.status_code == 200, response.text
    return response.json()


def url(project: str, suffix: str = "") -> str:
    return f"{PROJECTS}/{project}{suffix}"


def create_project(caller: Any, project: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {"projectId": project or f"p-{uuid.uuid4().hex[:8]}", "name": "Project", "roadmap": "Roadmap",
            **fields}
    return ok(caller.post(PROJECTS, json=body))


def milestone(tag: object = 0, **overrides: Any) -> dict[str, Any]:
    return {"branchPurpose": "Core cache", "cumulativeProgress": f"progress {tag}",
            "thisContribution": f"contribution {tag}", "agentId": "claude-code-1", **overrides}


def store(caller: Any, project: str, tag: object = 0, **overrides: Any) -> Any:
    return caller.post(url(project, "/store"), json=milestone(tag, **overrides))


def stored(caller: Any, project: str, tag: object = 0, **overrides: Any) -> dict[str, Any]:
    return ok(store(caller, project, tag, **overrides))


def create_branch(caller: Any, project: str, name: str, **overrides: Any) -> dict[str, Any]:
    body = {"branchName": name, "purpose": f"purpose of {name}", "agentId": "claude-code-1", **overrides}
    return ok(caller.post(url(project, "/branches"), json=body))


def log_entry(tag: object = 0, **overrides: Any) -> dict[str, Any]:
    return {"agentId": "claude-code-1", "phase": "observation", "content": f"observed {tag}", **overrides}


def logged(caller: Any, project: str, tag: object = 0, **overrides: Any) -> dict[str, Any]:
    return ok(caller.post(url(project, "/log"), json=log_entry(tag, **overrides)))


def merge_body(source: str, **overrides: Any) -> dict[str, Any]:
    return {"sourceBranch": source, "mergeSummary": f"merged {source}", "agentId": "claude-code-1", **overrides}


def recall(caller: Any, project: str, **params: Any) -> Any:
    return caller.get(url(project, "/recall"), params=params)


def recalled(caller: Any, project: str, **params: Any) -> dict[str, Any]:
    return ok(recall(caller, project, **params))


def project_of(caller: Any, project: str) -> dict[str, Any]:
    return ok(caller.get(url(project)))


def assert_error(response: Any, status: int, *, code: str | None = None, field: str | None = None) -> dict:
    """The one error shape: status, {"error": {"code", "message", "field"?}, "correlationId"} matching the header."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "correlationId"}, body
    error = body["error"]
    assert isinstance(error["code"], str), body
    assert error["code"], body
    assert isinstance(error["message"], str), body
    assert error["message"], body
    assert body["correlationId"] == response.headers["x-correlation-id"], body
    if code is not None:
        assert error["code"] == code, body
    if field is not None:
        assert error.get("field") == field, body
    return error


_finished_purges: dict[str, dict[str, Any]] = {}  # execution ARN -> its description, once it stopped running


def purge_executions(tenant: str) -> list[dict[str, Any]]:
    """The descriptions of the purge state machine's executions for ``tenant`` (the emulator is shared by the
    tests of a worker, each in a tenant of its own). A finished execution is described once."""
    import boto3

    sfn = boto3.client("stepfunctions")
    machine = os.environ["CAIRN_PURGE_STATE_MACHINE_ARN"]
    described = []
    for execution in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine).search("executions"):
        arn = execution["executionArn"]
        description = _finished_purges.get(arn) or sfn.describe_execution(executionArn=arn)
        if description["status"] != "RUNNING":
            _finished_purges[arn] = description
        described.append(description)
    return [d for d in described if json.loads(d["input"])["tenantId"] == tenant]


def wait_for_purges(tenant: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Waits until no purge of ``tenant`` is running; returns their descriptions."""
    deadline = time.monotonic() + timeout
    while True:
        described = purge_executions(tenant)
        if described and all(d["status"] != "RUNNING" for d in described):
            return described
        assert time.monotonic() < deadline, f"purge still running after {timeout}s: {described}"
        time.sleep(0.05)
