"""The ops view's tenant health and queues: whether what Cairn runs on answers, and what waits or runs in the
caller's tenant (and only in it)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from cairn.aws import workflows
from cairn.core.settings import get_settings
from cairn.platform.store import jobs
from tests.http.helpers import create_project, ok, stored

HEALTH = "/api/v1/agent-runtime/health"
QUEUES = "/api/v1/agent-runtime/queues"
# Every state machine the settings name is probed (export and import too, once configured).
CHECKED = {"table", "bucket", "eventBus", "purgeStateMachine", "sourceSyncStateMachine", "taskRunStateMachine"}
EMPTY = {"searchDocuments": {"pending": 0}, "syncs": {"running": 0}, "taskRuns": {"queuedOrRunning": 0},
         "jobs": {"queued": 0, "running": 0}, "events": {"undelivered": 0}}


def _viewer(caller: Any, tenant: str) -> Any:
    return caller(tenant, roles=("viewer",))


def test_health_answers_each_check_and_the_publishers_lag(agent: Any, caller: Any, clock: Any) -> None:
    viewer = _viewer(caller, agent.tenant)
    body = ok(viewer.get(HEALTH))
    assert body["status"] == "ok"
    assert set(body["checks"]) >= CHECKED
    assert set(body["checks"].values()) == {"ok"}
    assert body["publisherLagSeconds"] is None

    create_project(agent)  # its project.created event waits for the publisher (none runs in these tests)
    clock.advance(timedelta(seconds=42))

    assert ok(viewer.get(HEALTH))["publisherLagSeconds"] == 42


def test_health_is_degraded_naming_what_does_not_answer(agent: Any) -> None:
    os.environ["CAIRN_SOURCE_SYNC_STATE_MACHINE_ARN"] = (  # restored after the test by conftest
        "arn:aws:states:us-east-1:123456789012:stateMachine:no-such-machine")
    os.environ["CAIRN_EVENT_BUS_NAME"] = "no-such-bus"
    get_settings.cache_clear()

    body = ok(agent.get(HEALTH))

    assert body["status"] == "degraded"
    assert {name for name, state in body["checks"].items() if state != "ok"} == {"sourceSyncStateMachine",
                                                                                   "eventBus"}


def test_the_ops_view_needs_a_token(http: Any) -> None:
    for path in (HEALTH, QUEUES):
        assert http.get(path).status_code == 401


def test_queues_count_pending_documents_and_undelivered_events_of_the_tenant_only(agent: Any, caller: Any) -> None:
    viewer = _viewer(caller, agent.tenant)
    assert ok(viewer.get(QUEUES)) == EMPTY

    project = create_project(agent)["projectId"]
    stored(agent, project, 1)

    body = ok(viewer.get(QUEUES))
    assert body["searchDocuments"] == {"pending": 1}  # the milestone, until its project is compacted
    assert body["events"] == {"undelivered": 2}  # project.created, milestone.stored
    assert ok(caller().get(QUEUES)) == EMPTY


def test_an_event_pending_longer_than_the_streams_retention_leaves_the_count_unless_its_publish_failed(
        agent: Any, clock: Any) -> None:
    create_project(agent)
    clock.advance(timedelta(hours=25))

    assert ok(agent.get(QUEUES))["events"] == {"undelivered": 0}


class StartOnly:
    """Step Functions' StartExecution answering an ARN (the machine itself is not run)."""

    def start_execution(self, stateMachineArn: str, name: str, input: str) -> dict[str, str]:  # noqa: N803
        return {"executionArn": f"{stateMachineArn}:{name}"}


def _executions(monkeypatch: Any, tenant: str, settled: dict[str, str], *open_ones: str) -> None:
    """Executions started through ``workflows.start`` (``{kind}-...`` names), those in ``settled`` settled."""
    monkeypatch.setattr(workflows.clients, "stepfunctions", StartOnly)
    for name in (*open_ones, *settled):
        workflows.start(tenant, name.rsplit("-", 1)[0], {}, "arn:aws:states:us-east-1:1:stateMachine:m", name, {})
    for name, status in settled.items():
        assert workflows.settle(tenant, name, status)


def test_queues_count_open_syncs_task_runs_and_jobs(agent: Any, monkeypatch: Any) -> None:
    tenant = agent.tenant
    _executions(monkeypatch, tenant, {"source_sync-0": "succeeded", "task_run-0": "failed", "task_run-9": "cancelled"},
                "source_sync-1", "task_run-1", "task_run-2", "project_purge-1")
    for job_id in ("job-1", "job-2", "job-3"):
        jobs.create(tenant, job_id, "export", [])
    jobs.start(tenant, "job-3")

    body = ok(agent.get(QUEUES))

    assert body["syncs"] == {"running": 1}
    assert body["taskRuns"] == {"queuedOrRunning": 2}
    assert body["jobs"] == {"queued": 2, "running": 1}
