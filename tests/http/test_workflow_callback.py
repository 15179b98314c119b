"""POST /api/v1/webhooks/workflow-completed: a remote executor reports the completion of a task run in
``processing_remote``, signed with the callback secret (HMAC-SHA256 hex of the raw body); a replayed delivery
settles nothing twice. Through the gateway, with the task-run state machine run by moto and the real worker."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
import requests

from cairn.aws import workflows
from cairn.core.settings import get_settings
from tests.http.helpers import ok
from tests.tasks_helpers import PermitCaller, available_credits
from tests.workflow_helpers import wait_ended

PATH = "/api/v1/webhooks/workflow-completed"
SECRET = "callback-secret-" + "k" * 32


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> str:
    """The callback secret configured (as the environment sets it locally)."""
    monkeypatch.setenv("CAIRN_WORKFLOW_CALLBACK_SECRET", SECRET)
    get_settings.cache_clear()
    return SECRET


def _sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _remote_run(runner: PermitCaller) -> dict[str, Any]:
    """A started run held in ``processing_remote``: its input is not text, so the local model fails and waits 1 s,
    then 2 s, before trying again; the remote executor reports within that window."""
    run = ok(runner.post("/v1/tasks/init", json={}))
    assert requests.put(run["uploads"]["list.md"], data=b"\xff\xfe not text", timeout=10).status_code == 200
    started = ok(runner.post(f"/v1/tasks/{run['runId']}/start", json={}))
    deadline = time.monotonic() + 10
    while ok(runner.get(f"/v1/tasks/{run['runId']}"))["status"]["status"] != "processing_remote":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return {**run, **started}


def _post(http: Any, body: bytes, **headers: str) -> Any:
    return http.post(PATH, content=body, headers={"Content-Type": "application/json", **headers})


def _completion(runner: PermitCaller, run_id: str, **fields: Any) -> bytes:
    return json.dumps({"workspaceId": runner.installation, "executionId": run_id, **fields}).encode()


def test_a_signed_completion_settles_the_run_and_its_execution_once(http: Any, task_caller: Any,
                                                                    signed: str) -> None:
    runner = task_caller()
    before = available_credits(runner)
    run = _remote_run(runner)
    body = _completion(runner, run["runId"], status="succeeded", output="# Done remotely\n", outputTokens=7)

    assert _post(http, body).status_code == 401  # no signature
    forged = _post(http, body, **{"x-agentfield-signature": _sign(body, "another-secret"),
                                  "x-agentfield-delivery": "d-1"})
    assert forged.status_code == 401
    assert "x-agentfield-signature" in forged.text
    no_delivery = _post(http, body, **{"x-agentfield-signature": _sign(body)})
    assert no_delivery.status_code == 400
    assert "x-agentfield-delivery" in no_delivery.text
    assert ok(runner.get(f"/v1/tasks/{run['runId']}"))["status"]["status"] == "processing_remote"  # untouched

    answer = ok(_post(http, body, **{"x-agentfield-signature": _sign(body), "x-agentfield-delivery": "d-1"}))
    assert answer == {"delivery": "d-1", "duplicate": False, "executionId": run["runId"], "status": "succeeded"}
    replay = ok(_post(http, body, **{"x-agentfield-signature": _sign(body), "x-agentfield-delivery": "d-1"}))
    assert replay["duplicate"] is True
    wait_ended(workflows.get(runner.installation, run["runId"])["executionArn"])  # type: ignore[index]

    assert runner.get(f"/v1/tasks/{run['runId']}/output").text == "# Done remotely\n"
    assert ok(runner.get(f"/v1/tasks/{run['runId']}"))["status"]["status"] == "succeeded"
    assert available_credits(runner) == before - run["estimatedCredits"]  # debited once, never refunded
    record = workflows.get(runner.installation, run["runId"])
    assert record is not None
    assert (record["status"], record["outputRef"]) == ("succeeded", f"{_prefix(runner, run)}output.md")
    again = _post(http, body, **{"x-agentfield-signature": _sign(body), "x-agentfield-delivery": "d-2"})
    assert again.status_code == 409  # a new delivery for a settled execution


def test_a_reported_failure_refunds_the_run(http: Any, task_caller: Any, signed: str) -> None:
    runner = task_caller()
    before = available_credits(runner)
    run = _remote_run(runner)
    body = _completion(runner, run["runId"], status="failed", failureMessage="the executor ran out of memory")

    answer = ok(_post(http, body, **{"x-agentfield-signature": f"sha256={_sign(body)}",
                                     "x-agentfield-delivery": uuid.uuid4().hex}))

    assert answer["status"] == "failed"
    status = ok(runner.get(f"/v1/tasks/{run['runId']}"))["status"]
    assert (status["status"], status["error"]) == ("failed", "the executor ran out of memory")
    assert available_credits(runner) == before
    record = workflows.get(runner.installation, run["runId"])
    assert record is not None
    assert (record["status"], record["failureMessage"]) == ("failed", "the executor ran out of memory")


def test_an_unknown_workspace_or_execution_is_404_and_a_bad_body_400(http: Any, signed: str) -> None:
    body = json.dumps({"workspaceId": "nobody", "executionId": "run-x", "status": "succeeded"}).encode()
    headers = {"x-agentfield-signature": _sign(body), "x-agentfield-delivery": uuid.uuid4().hex}
    assert _post(http, body, **headers).status_code == 404
    bad = json.dumps({"workspaceId": "nobody", "executionId": "run-x", "status": "done"}).encode()
    answer = _post(http, bad, **{"x-agentfield-signature": _sign(bad), "x-agentfield-delivery": "d"})
    assert answer.status_code == 400
    assert "status" in answer.text


def _prefix(runner: PermitCaller, run: dict[str, Any]) -> str:
    return run["prefix"].removesuffix("inputs/")
