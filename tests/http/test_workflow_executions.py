"""GET /api/v1/workflow-executions and GET .../{id}: the executions Cairn started for the caller's tenant; their
records settled by the machines' own steps (or, locally too, by Step Functions' status-change event); retry and
cancel, through moto's Step Functions with the real workers."""

from __future__ import annotations

import json
import threading
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from cairn.aws import failures, outbox, workflows
from cairn_local import handlers
from cairn_local.fake_remote import fake_remote_server, slack_history, slack_messages
from tests.http.helpers import create_project, ok, url, wait_for_purges
from tests.http.sync_helpers import failed_slack_sync, source
from tests.tasks_helpers import available_credits
from tests.workflow_helpers import records, wait_ended, wait_settled

BASE = "/api/v1/workflow-executions"


def test_a_deleted_projects_purge_is_listed_and_read_by_a_viewer(agent: Any, caller: Any) -> None:
    doomed = create_project(caller(agent.tenant, roles=("admin",)))["projectId"]
    assert agent.delete(url(doomed)).status_code == 200
    wait_for_purges(agent.tenant)  # settled: the list and the read below see the same record
    viewer = caller(agent.tenant, roles=("viewer",))

    listed = ok(viewer.get(BASE))
    [execution] = listed["data"]
    assert execution["kind"] == "project_purge"
    assert execution["resource"] == {"projectId": doomed}
    assert (execution["status"], execution["retryCount"]) == ("succeeded", 0)
    assert listed["page"] == {"limit": 25, "offset": 0, "returned": 1, "total": 1}
    assert listed["sort"] == {"by": "startedAt", "order": "desc"}
    assert ok(viewer.get(f"{BASE}/{execution['id']}")) == execution


def test_filters_narrow_and_are_echoed(agent: Any, project: str) -> None:
    agent.delete(url(project))
    assert ok(agent.get(f"{BASE}?kind=project_purge&resource={project}"))["page"]["total"] == 1
    for query in ("kind=task_run", "resource=another-project", "q=no-such-text"):
        assert ok(agent.get(f"{BASE}?{query}"))["data"] == []
    assert ok(agent.get(f"{BASE}?kind=source_sync"))["filters"] == {"kind": "source_sync"}


def test_another_tenant_sees_nothing_and_gets_404(agent: Any, project: str, caller: Any) -> None:
    agent.delete(url(project))
    [execution] = ok(agent.get(BASE))["data"]
    stranger = caller()
    assert ok(stranger.get(BASE))["data"] == []
    assert stranger.get(f"{BASE}/{execution['id']}").status_code == 404


def test_bad_filters_are_400_naming_them(agent: Any) -> None:
    for query, field in (("kind=mystery", "kind"), ("status=done", "status"), ("sortBy=tenant", "sortBy")):
        response = agent.get(f"{BASE}?{query}")
        assert response.status_code == 400, query
        assert field in response.text


# --- settled by the machines' own steps; retry; cancel ---------------------------------------------------------


def _operator(caller: Any, tenant: str) -> Any:
    return caller(tenant, roles=("ops_engineer",))


def _post(who: Any, path: str) -> Any:
    return who.post(path, headers={"Idempotency-Key": uuid.uuid4().hex})


def _events(tenant: str, topic: str) -> list[dict[str, Any]]:
    return [event for event in outbox.listed(tenant) if event["topic"] == topic]


def test_a_purge_settles_its_record_from_its_own_last_step_with_its_event(agent: Any, project: str) -> None:
    agent.delete(url(project))
    [record] = records(agent.tenant)
    settled = wait_settled(agent.tenant, record["id"])

    assert settled["status"] == "succeeded"
    assert settled["completedAt"] >= settled["startedAt"]
    [event] = _events(agent.tenant, "workflow.completed")
    assert event["detail"] == {"workflowExecutionId": record["id"], "kind": "project_purge",
                               "status": "succeeded", "resource": {"projectId": project}}
    assert "GSI2PK" not in settled  # not among the tenant's failures


def test_a_failed_sync_is_retried_to_success(agent: Any, project: str, caller: Any) -> None:
    tenant = agent.tenant
    with fake_remote_server() as slack:
        failed = failed_slack_sync(tenant, project, slack)
        assert (failed["status"], failed["failureCode"]) == ("failed", "SourceAuthFailed")
        assert "token_revoked" in failed["failureMessage"]
        assert failed["GSI2PK"] == failures.failures_pk(tenant)  # listed among the tenant's failures
        assert [e["detail"]["failureCode"] for e in _events(tenant, "workflow.failed")] == ["SourceAuthFailed"]
        assert source(tenant, "slack-eng")["state"] == "failed"  # type: ignore[index]

        slack.route("/api/conversations.history", slack_history(slack_messages(30)))
        retry = ok(_post(_operator(caller, tenant), f"{BASE}/{failed['id']}/retry"))

        assert (retry["retryCount"], retry["retryOf"], retry["kind"]) == (1, failed["id"], "source_sync")
        assert retry["resource"]["sourceId"] == "slack-eng"
        done = wait_settled(tenant, retry["id"])
    assert done["status"] == "succeeded"
    assert json.loads(done["outputRef"])["items"] == 30
    synced = source(tenant, "slack-eng")
    assert synced is not None
    assert (synced["state"], synced["syncCursor"], synced["itemsSynced"]) == ("idle", "1700000029.000100", 30)
    original = workflows.get(tenant, failed["id"])
    assert original is not None
    assert original["retriedBy"] == retry["id"]
    assert "GSI2PK" not in original  # it recovered: no longer among the failures
    again = _post(_operator(caller, tenant), f"{BASE}/{failed['id']}/retry")
    assert again.status_code == 409
    assert retry["id"] in again.text


def test_a_running_task_run_is_cancelled_and_refunded_then_retried_for_its_cost_once(task_caller: Any,
                                                                                      caller: Any) -> None:
    runner = task_caller()
    before = available_credits(runner)
    run = ok(runner.post("/v1/tasks/init", json={}))
    # Not UTF-8: the local model fails and is retried after 1 s and 2 s, so the run stays running meanwhile.
    assert requests.put(run["uploads"]["list.md"], data=b"\xff\xfe not text", timeout=10).status_code == 200
    started = ok(runner.post(f"/v1/tasks/{run['runId']}/start", json={}))
    assert available_credits(runner) == before - started["estimatedCredits"]
    operator = _operator(caller, runner.installation)
    [record] = records(runner.installation)

    assert _post(operator, f"{BASE}/{record['id']}/retry").status_code == 409  # running: nothing to retry
    cancelled = ok(_post(operator, f"{BASE}/{record['id']}/cancel"))

    assert (cancelled["status"], cancelled["failureCode"]) == ("cancelled", "Cancelled")
    assert available_credits(runner) == before
    status = ok(runner.get(f"/v1/tasks/{run['runId']}"))["status"]
    assert status["status"] == "failed"
    assert "cancelled" in status["error"]
    assert wait_ended(record["executionArn"])["status"] == "ABORTED"
    assert available_credits(runner) == before  # the stopped machine refunded nothing twice
    assert _post(operator, f"{BASE}/{record['id']}/cancel").status_code == 409  # settled: nothing to cancel

    # The input fixed, the cancelled run is retried: debited again what the cancel refunded, once.
    assert requests.put(run["uploads"]["list.md"], data=b"# Fixed\n", timeout=10).status_code == 200
    retry = ok(_post(operator, f"{BASE}/{record['id']}/retry"))
    assert (retry["id"], retry["retryOf"], retry["retryCount"]) == (f"{run['runId']}-retry-1", record["id"], 1)
    done = wait_settled(runner.installation, retry["id"])
    assert (done["status"], done["outputRef"]) == ("succeeded", f"{run['prefix'].removesuffix('inputs/')}output.md")
    assert ok(runner.get(f"/v1/tasks/{run['runId']}"))["status"]["status"] == "succeeded"
    assert available_credits(runner) == before - started["estimatedCredits"]


def test_retry_and_cancel_are_for_operators_with_an_idempotency_key_in_their_own_tenant(
        agent: Any, project: str, caller: Any) -> None:
    agent.delete(url(project))
    [record] = records(agent.tenant)
    path = f"{BASE}/{record['id']}"
    viewer = caller(agent.tenant, roles=("viewer",))
    assert _post(viewer, f"{path}/retry").status_code == 403
    missing_key = _operator(caller, agent.tenant).post(f"{path}/cancel")
    assert missing_key.status_code == 400
    assert "Idempotency-Key" in missing_key.text
    stranger = _operator(caller, None)
    for action in ("retry", "cancel"):
        assert _post(stranger, f"{path}/{action}").status_code == 404
    wait_settled(agent.tenant, record["id"])
    assert _post(_operator(caller, agent.tenant), f"{path}/retry").status_code == 409  # succeeded


def test_a_machine_whose_step_crashes_settles_failed_from_its_status_change_event(
        agent: Any, project: str, event_bus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the purge step crashed")

    monkeypatch.setattr(handlers.module("ProjectPurgeFunction"), "purge_page", crash)
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda seconds: None))  # retries at once
    agent.delete(url(project))
    [record] = records(agent.tenant)
    assert wait_ended(record["executionArn"])["status"] == "FAILED"

    deadline = time.monotonic() + 10
    while (settled := workflows.get(agent.tenant, record["id"]) or {})["status"] == "running":
        event_bus.drain()  # the status-change event, queued when the execution ended
        assert time.monotonic() < deadline, "the status-change event did not settle the record"
        time.sleep(0.02)
    assert (settled["status"], settled["failureCode"]) == ("failed", "RuntimeError")
    assert "the purge step crashed" in settled["failureMessage"]


def test_a_running_export_is_cancelled_its_job_fails_cancelled_and_a_retry_of_the_execution_completes_it(
        agent: Any, project: str, caller: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    worker = handlers.module("JobWorkerFunction")
    release = threading.Event()
    steps = dict(worker._STEPS)
    held = {**steps, "run": lambda state: (release.wait(10), steps["run"](state))[1]}  # the step runs on
    monkeypatch.setattr(worker, "_STEPS", held)
    admin = caller(agent.tenant, roles=("admin",))
    job = admin.post("/api/v1/exports", json={"projectIds": [project]},
                     headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    [record] = [r for r in records(agent.tenant) if r["kind"] == "export"]

    cancelled = ok(_post(_operator(caller, agent.tenant), f"{BASE}/{record['id']}/cancel"))
    release.set()

    assert cancelled["status"] == "cancelled"
    assert wait_ended(record["executionArn"])["status"] == "ABORTED"
    stored = ok(admin.get(f"/api/v1/jobs/{job['jobId']}"))
    assert (stored["status"], stored["errorCode"]) == ("failed", "cancelled")

    operator = _operator(caller, agent.tenant)
    retry = ok(_post(operator, f"{BASE}/{record['id']}/retry"))
    assert (retry["id"], retry["retryOf"], retry["retryCount"]) == (f"{job['jobId']}-retry-1", record["id"], 1)
    assert wait_settled(agent.tenant, retry["id"])["status"] == "succeeded"
    done = ok(admin.get(f"/api/v1/jobs/{job['jobId']}"))
    assert (done["status"], done["retryCount"]) == ("succeeded", 1)
    assert done["artifactUrl"]
    assert _post(operator, f"{BASE}/{record['id']}/retry").status_code == 409  # retried once already
    succeeded_job = operator.post(f"/api/v1/agent-runtime/job-failures/{job['jobId']}/retry",
                                  headers={"Idempotency-Key": uuid.uuid4().hex})
    assert succeeded_job.status_code == 409  # the job is no longer failed
