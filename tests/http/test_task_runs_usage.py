"""GET /v1/jira/usage: the Jira App's usage rows (one per started run, newest first, credits net of refunds: a refunded
run's row is checked in test_task_runs.py) and the installation's available credits, behind a Forge token and the
rotating request key."""

from __future__ import annotations

import time
from typing import Any

import requests

LIST = b"# Plan\n- [ ] ship\n"


def _run(caller: Any, body: bytes = LIST) -> str:
    init = caller.post("/v1/tasks/init", json={}).json()
    assert requests.put(init["uploads"]["list.md"], data=body, timeout=10).status_code == 200
    assert caller.post(f"/v1/tasks/{init['runId']}/start", json={}).status_code == 200
    for _ in range(600):  # at most 30 s: a failing model alone waits 3 s between its attempts
        if caller.get(f"/v1/tasks/{init['runId']}").json()["status"]["status"] in ("succeeded", "failed"):
            return str(init["runId"])
        time.sleep(0.05)
    raise AssertionError("the run did not settle")


def test_usage_lists_started_runs_newest_first_with_their_credits_and_the_balance(jira, task_caller, clock):
    app = jira()
    caller = task_caller(task="AUTH-7", installation=app.installation)
    caller.post("/v1/tasks/init", json={})  # never started: not a usage row
    first = _run(caller)
    clock.advance()
    second = _run(caller, body=LIST * 2)

    response = app.get("/v1/jira/usage")

    assert response.status_code == 200, response.text
    assert response.headers["X-SeeCodes-Next-Request-Key"]
    body = response.json()
    assert body["ok"] is True
    assert [row["runId"] for row in body["items"]] == [second, first]
    assert body["items"][1] == {"timestamp": body["items"][1]["timestamp"], "type": "task_run", "taskId": "AUTH-7",
                                "credits": 13, "projectId": "AUTH", "runId": first, "model": "strict light",
                                "status": "succeeded"}
    assert body["availableCredits"] == 100 - 13 - 13


def test_usage_needs_the_current_request_key_and_shows_only_the_callers_installation(jira, task_caller):
    app = jira()
    _run(task_caller(installation=app.installation))
    stranger = jira()

    assert stranger.get("/v1/jira/usage").json()["items"] == []
    spent = app.request_key()
    assert app.get("/v1/jira/usage").status_code == 200
    assert app.get("/v1/jira/usage", key=spent).status_code == 401
    assert app.client.get("/v1/jira/usage", headers={"Authorization": f"Bearer {app.token}"}).status_code == 401
