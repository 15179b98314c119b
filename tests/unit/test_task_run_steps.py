"""The task-run worker's steps, invoked as the state machine invokes them (functions/task_run/app.py), on runs in
the emulator: each step is safe to run again, a settled run is never changed, a failure is refunded once."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from cairn.tasks.service import credits, runs
from cairn.tasks.store import installations
from cairn.tasks.store import runs as store
from cairn_local import handlers

LIST = b"# Plan\n- [ ] ship it\n"


def _queued(installation: str, body: bytes = LIST, cost: int = 13) -> str:
    """A run with its upload, started (``queued``, its credits debited) without an execution."""
    init = runs.init(installation, "AUTH", "AUTH-1", None, None)
    store.write(store.input_key(installation, init["runId"], "list.md"), body, "text/markdown")
    store.start(installation, init["runId"], {"credits": cost, "startedAt": "2026-01-01T00:00:00Z"}, credits=cost,
                usage_sort_key=f"2026-01-01T00:00:00Z#{init['runId']}")
    return str(init["runId"])


def _step(step: str, installation: str, run_id: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = handlers.invoke("TaskRunFunction",
                                             {"step": step, "installation": installation, "runId": run_id, **extra})
    return result


def _failure(message: str) -> dict[str, Any]:
    return {"failure": {"Error": "ModelFailure", "Cause": json.dumps({"errorType": "ModelFailure",
                                                                      "errorMessage": message})}}


@pytest.fixture
def installation(aws: dict[str, str]) -> str:
    name = f"inst-{uuid.uuid4().hex[:8]}"
    installations.register(name, {"cloudId": "cloud"}, credits=100, now="2026-01-01T00:00:00Z")
    return name


def test_prepare_then_run_settles_succeeded_and_a_repeated_step_changes_nothing(installation):
    run_id = _queued(installation)

    assert _step("prepare", installation, run_id) == {"settled": False}
    assert store.get(installation, run_id)["status"] == "in_process"
    assert _step("run", installation, run_id) == {"settled": True}
    settled = store.get(installation, run_id)
    output = store.read(store.artifact_key(installation, run_id, store.OUTPUT_NAME))

    assert settled["status"] == "succeeded"
    assert settled["attempts"] == 1
    assert _step("run", installation, run_id) == {"settled": True}
    assert _step("prepare", installation, run_id) == {"settled": True}
    assert _step("fail", installation, run_id, **_failure("late")) == {"settled": True}
    assert store.get(installation, run_id) == settled
    assert store.read(store.artifact_key(installation, run_id, store.OUTPUT_NAME)) == output


def test_a_failing_model_propagates_its_error_type_for_the_state_machines_retry(installation):
    run_id = _queued(installation, body=b"\xff\xfe")

    with pytest.raises(Exception, match=r"input list\.md is not UTF-8 text") as raised:
        _step("run", installation, run_id)

    assert type(raised.value).__name__ == "ModelFailure"
    assert store.get(installation, run_id)["status"] == "processing_remote"


def test_the_fail_step_settles_failed_and_refunds_once_however_often_it_runs(installation):
    run_id = _queued(installation, cost=13)
    assert credits.available(installation) == 87

    for _ in range(3):
        assert _step("fail", installation, run_id, **_failure("model unavailable")) == {"settled": True}

    run = store.get(installation, run_id)
    assert (run["status"], run["error"], run["refunded"]) == ("failed", "model unavailable", True)
    assert credits.available(installation) == 100
    log = store.read(store.artifact_key(installation, run_id, store.LOG_NAME)).decode()
    assert log.count("refunded 13 credits") == 1


def test_prepare_fails_a_run_whose_input_is_gone(installation):
    run_id = _queued(installation)
    from cairn.aws import clients
    from cairn.core.settings import get_settings

    clients.s3().delete_object(Bucket=get_settings().bucket_name, Key=store.input_key(installation, run_id, "list.md"))

    assert _step("prepare", installation, run_id) == {"settled": True}
    run = store.get(installation, run_id)
    assert (run["status"], run["error"]) == ("failed", "Input list.md is no longer stored")


def test_the_failure_message_is_the_lambda_errors_message():
    worker = handlers.module("TaskRunFunction")

    assert worker.failure_message({"Error": "ModelFailure", "Cause": '{"errorMessage": "throttled"}'}) == "throttled"
    assert worker.failure_message({"Error": "States.Timeout", "Cause": "timed out"}) == "timed out"
    assert worker.failure_message({"Error": "States.Timeout"}) == "States.Timeout"


def test_resume_starts_a_lost_execution_again_and_leaves_a_settled_run_alone(installation):
    run_id = _queued(installation)  # queued, its execution lost

    assert runs.resume(installation, run_id) is True
    for _ in range(200):
        if store.get(installation, run_id)["status"] == "succeeded":
            break
        time.sleep(0.05)

    assert store.get(installation, run_id)["status"] == "succeeded"
    assert runs.resume(installation, run_id) is False
    assert runs.resume(installation, "run-000000000000") is False
    log = store.read(store.artifact_key(installation, run_id, store.LOG_NAME)).decode()
    assert "resumed: its execution was lost while queued" in log
