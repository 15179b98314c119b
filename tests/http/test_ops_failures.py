"""GET /api/v1/agent-runtime/failures: the caller's tenant's failed executions, jobs, deliveries and publishes,
newest first, in the list envelope; another tenant's never."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.aws import failures, outbox, workflows
from cairn.aws.table import table
from cairn.platform.store import jobs, webhooks
from tests.http.helpers import create_project, ok

FAILURES = "/api/v1/agent-runtime/failures"
QUEUES = "/api/v1/agent-runtime/queues"
OUTBOX_RETRY = "/api/v1/agent-runtime/outbox-failures/{}/retry"


def _failed_execution(tenant: str, name: str, failed_at: str) -> None:
    table().put({"PK": workflows.execution_pk(tenant, name), "SK": workflows.EXECUTION_SK,
                 "entity": workflows.WORKFLOW_EXECUTION.name, "id": name, "kind": "source_sync",
                 "status": "failed", "resource": {"sourceId": "slack-1"}, "startedAt": "2026-12-01T00:00:00Z",
                 "completedAt": failed_at, "retryCount": 0, "failureCode": "States.Timeout",
                 "failureMessage": "the sync timed out",
                 **failures.failure_keys(tenant, failures.WORKFLOW, name, failed_at)})


def _failed_job(tenant: str, job_id: str, failed_at: str) -> None:
    table().put({**jobs.create(tenant, job_id, "import", ["alpha"]), "status": "failed", "completedAt": failed_at,
                 "errorCode": "import_bad_line", "errorMessage": "line 7 is not JSON",
                 **failures.failure_keys(tenant, failures.JOB, job_id, failed_at)})


def _failed_publish(tenant: str, failed_at: str) -> str:
    event = {**outbox.new_event(tenant, "project.created", {"projectId": "alpha"}), "publishAttempts": 4,
             "lastPublishError": "AccessDeniedException"}
    table().put({**event, **failures.failure_keys(tenant, failures.OUTBOX, event["eventId"], failed_at)})
    return str(event["eventId"])


def _failed_delivery(tenant: str, delivery_id: str, failed_at: str) -> None:
    """A webhook delivery whose attempt the receiver answered 500 (retried later by its schedule)."""
    event = {"eventId": f"evt-{delivery_id}", "topic": "project.created"}
    assert webhooks.create_delivery(tenant, "sub-1", delivery_id, event, "{}", failed_at)
    assert webhooks.record_failed(tenant, "sub-1", delivery_id,
                                  {"at": failed_at, "responseCode": 500, "error": "receiver answered 500"},
                                  next_attempt_at="2026-12-03T10:04:00Z")


@pytest.fixture
def seeded(agent: Any) -> dict[str, str]:
    """One failure of each kind, a minute apart: the execution first, the delivery last."""
    tenant = agent.tenant
    _failed_execution(tenant, "sync-slack-1-a", "2026-12-03T10:00:00Z")
    _failed_job(tenant, "job-import-1", "2026-12-03T10:01:00Z")
    event_id = _failed_publish(tenant, "2026-12-03T10:02:00Z")
    _failed_delivery(tenant, "dlv-1", "2026-12-03T10:03:00Z")
    return {"event": event_id}


def test_each_failure_says_what_failed_when_why_and_how_to_retry_it(agent: Any, caller: Any,
                                                                   seeded: dict[str, str]) -> None:
    body = ok(caller(agent.tenant, roles=("viewer",)).get(FAILURES))

    delivery, publish, job, execution = body["data"]  # newest first
    assert execution == {
        "id": "sync-slack-1-a", "kind": "workflow", "failedAt": "2026-12-03T10:00:00Z",
        "failureCode": "States.Timeout", "failureMessage": "the sync timed out",
        "retryPath": "/api/v1/workflow-executions/sync-slack-1-a/retry",
        "item": workflows.WORKFLOW_EXECUTION.to_wire(workflows.get(agent.tenant, "sync-slack-1-a") or {}),
    }
    assert execution["item"]["status"] == "failed"
    assert (job["id"], job["kind"], job["failureCode"], job["failureMessage"], job["retryPath"]) == (
        "job-import-1", "job", "import_bad_line", "line 7 is not JSON",
        "/api/v1/agent-runtime/job-failures/job-import-1/retry")
    assert job["item"]["jobId"] == "job-import-1"
    assert (publish["id"], publish["kind"], publish["failureMessage"], publish["retryPath"]) == (
        seeded["event"], "outbox", "AccessDeniedException",
        f"/api/v1/agent-runtime/outbox-failures/{seeded['event']}/retry")
    assert publish["item"]["topic"] == "project.created"
    assert (delivery["id"], delivery["kind"], delivery["failureCode"], delivery["failureMessage"],
            delivery["retryPath"]) == ("dlv-1", "delivery", "500", "receiver answered 500", None)
    assert (delivery["item"]["id"], delivery["item"]["status"]) == ("dlv-1", "failing")
    assert body["page"] == {"limit": 25, "offset": 0, "returned": 4, "total": 4}
    assert body["sort"] == {"by": "failedAt", "order": "desc"}
    assert body["filters"] == {}


@pytest.mark.usefixtures("seeded")
def test_kind_filters_and_is_echoed(agent: Any) -> None:
    body = ok(agent.get(FAILURES, params={"kind": "job"}))

    assert [failure["id"] for failure in body["data"]] == ["job-import-1"]
    assert body["page"]["total"] == 1
    assert body["filters"] == {"kind": "job"}
    assert ok(agent.get(FAILURES, params={"kind": "workflow", "q": "no-such-text"}))["data"] == []


@pytest.mark.usefixtures("seeded")
def test_the_list_conventions_sort_page_and_search(agent: Any) -> None:
    oldest_two = ok(agent.get(FAILURES, params={"sortOrder": "asc", "limit": 2}))
    second_page = ok(agent.get(FAILURES, params={"limit": 2, "offset": 2}))
    by_kind = ok(agent.get(FAILURES, params={"sortBy": "kind", "sortOrder": "asc"}))
    searched = ok(agent.get(FAILURES, params={"q": "BAD_LINE"}))

    assert [failure["kind"] for failure in oldest_two["data"]] == ["workflow", "job"]
    assert oldest_two["page"] == {"limit": 2, "offset": 0, "returned": 2, "total": 4}
    assert [failure["kind"] for failure in second_page["data"]] == ["job", "workflow"]
    assert second_page["page"] == {"limit": 2, "offset": 2, "returned": 2, "total": 4}
    assert [failure["kind"] for failure in by_kind["data"]] == ["delivery", "job", "outbox", "workflow"]
    assert [failure["id"] for failure in searched["data"]] == ["job-import-1"]
    assert searched["page"]["total"] == 1


@pytest.mark.parametrize(("query", "field"), [({"sortBy": "tenant"}, "sortBy"), ({"kind": "sync"}, "kind"),
                                              ({"limit": 0}, "limit"), ({"sortOrder": "up"}, "sortOrder")])
def test_bad_list_parameters_are_400_naming_them(agent: Any, query: dict[str, Any], field: str) -> None:
    response = agent.get(FAILURES, params=query)

    assert response.status_code == 400
    assert field in response.text


@pytest.mark.usefixtures("seeded")
def test_another_tenants_failures_are_never_seen(caller: Any) -> None:
    body = ok(caller(roles=("viewer",)).get(FAILURES))

    assert body["data"] == []
    assert body["page"]["total"] == 0


# --- retries ---------------------------------------------------------------------------------------------------

def _operator(caller: Any, tenant: str) -> Any:
    return caller(tenant, roles=("ops_engineer",))


def _events(agent: Any) -> list[dict[str, Any]]:
    return [outbox.to_wire(item) for item in table().query_all(outbox.events_index_pk(agent.tenant), index="GSI1")]


def _publish_failed(agent: Any) -> str:
    """The tenant's project.created event, its last publish attempt failed (as the publisher records it)."""
    create_project(agent)
    [event] = _events(agent)
    outbox.record_failure(agent.tenant, event["id"], "AccessDeniedException: not authorized", final=True)
    return str(event["id"])


def test_a_failed_publish_is_listed_until_its_retry_publishes_it(agent: Any, caller: Any) -> None:
    event_id = _publish_failed(agent)
    [failure] = ok(agent.get(FAILURES))["data"]
    assert (failure["id"], failure["kind"], failure["item"]["deliveryState"]) == (event_id, "outbox", "failed")
    assert ok(agent.get(QUEUES))["events"] == {"undelivered": 1}

    retried = ok(_operator(caller, agent.tenant).post(failure["retryPath"], headers={"Idempotency-Key": "r-1"}))

    assert (retried["id"], retried["deliveryState"]) == (event_id, "published")
    assert ok(agent.get(FAILURES))["data"] == []
    assert ok(agent.get(QUEUES))["events"] == {"undelivered": 0}


def test_an_outbox_retry_is_404_for_another_tenants_event_and_409_for_one_not_failed(agent: Any,
                                                                                     caller: Any) -> None:
    event_id = _publish_failed(agent)
    project = create_project(agent)["projectId"]
    [pending] = [event for event in _events(agent) if event["detail"] == {"projectId": project}]
    stranger = caller(roles=("admin",))
    operator = _operator(caller, agent.tenant)

    assert stranger.post(f"{OUTBOX_RETRY.format(event_id)}", headers={"Idempotency-Key": "r-1"}).status_code == 404
    conflict = operator.post(OUTBOX_RETRY.format(pending["id"]), headers={"Idempotency-Key": "r-2"})
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("roles", [("viewer",), ("agent",), ("data_admin",)])
def test_only_operators_retry(agent: Any, caller: Any, roles: tuple[str, ...]) -> None:
    event_id = _publish_failed(agent)

    response = caller(agent.tenant, roles=roles).post(OUTBOX_RETRY.format(event_id),
                                                      headers={"Idempotency-Key": "r-1"})

    assert response.status_code == 403
    assert ok(agent.get(FAILURES))["page"]["total"] == 1


@pytest.mark.parametrize("roles", [("admin",), ("automation_operator",)])
def test_a_retry_requires_an_idempotency_key_and_replays_with_one(agent: Any, caller: Any,
                                                                   roles: tuple[str, ...]) -> None:
    event_id = _publish_failed(agent)
    operator = caller(agent.tenant, roles=roles)

    missing = operator.post(OUTBOX_RETRY.format(event_id))
    first = operator.post(OUTBOX_RETRY.format(event_id), headers={"Idempotency-Key": "r-1"})
    again = operator.post(OUTBOX_RETRY.format(event_id), headers={"Idempotency-Key": "r-1"})

    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.text
    assert ok(first) == ok(again)
    assert again.headers.get("idempotent-replayed") == "true"


JOB_RETRY = "/api/v1/agent-runtime/job-failures/{}/retry"


def _failed_export(agent: Any) -> str:
    """An export of a live project, failed before it ran (as its worker fails one)."""
    from cairn.platform.service import jobs as job_service

    project = create_project(agent)["projectId"]
    job = job_service.queue(agent.tenant, "export", [project], start=False)
    assert jobs.fail(agent.tenant, job["id"], "export_failed", "the bucket refused the upload")
    return str(job["id"])


def test_a_failed_job_is_listed_until_it_is_retried(agent: Any, caller: Any) -> None:
    job_id = _failed_export(agent)
    [failure] = ok(agent.get(FAILURES, params={"kind": "job"}))["data"]
    assert (failure["id"], failure["failureCode"], failure["retryPath"]) == (
        job_id, "export_failed", JOB_RETRY.format(job_id))

    retried = ok(_operator(caller, agent.tenant).post(failure["retryPath"], headers={"Idempotency-Key": "r-1"}))

    assert (retried["id"], retried["retryCount"], retried["errorCode"]) == (job_id, 1, None)
    assert retried["status"] in ("queued", "running", "succeeded")  # its new execution has started
    assert ok(agent.get(FAILURES, params={"kind": "job"}))["data"] == []
    assert ok(agent.get(f"/api/v1/jobs/{job_id}"))["retryCount"] == 1


def test_a_job_retry_is_404_for_another_tenants_job_409_for_one_not_failed_and_for_operators_only(
        agent: Any, caller: Any) -> None:
    from cairn.platform.service import jobs as job_service

    failed = _failed_export(agent)
    queued = job_service.queue(agent.tenant, "export", [], start=False)["id"]
    key = {"Idempotency-Key": "r-1"}

    assert caller(roles=("admin",)).post(JOB_RETRY.format(failed), headers=key).status_code == 404
    assert _operator(caller, agent.tenant).post(JOB_RETRY.format(queued), headers=key).status_code == 409
    assert caller(agent.tenant, roles=("data_admin",)).post(JOB_RETRY.format(failed), headers=key).status_code == 403
    assert _operator(caller, agent.tenant).post(JOB_RETRY.format(failed)).status_code == 400
    assert ok(agent.get(FAILURES))["page"]["total"] == 1


def test_a_failing_delivery_leaves_the_failures_when_an_attempt_succeeds(agent: Any) -> None:
    _failed_delivery(agent.tenant, "dlv-7", "2026-12-03T10:00:00Z")
    assert [failure["id"] for failure in ok(agent.get(FAILURES, params={"kind": "delivery"}))["data"]] == ["dlv-7"]

    delivered = {"at": "2026-12-03T10:04:00Z", "responseCode": 200}
    assert webhooks.record_delivered(agent.tenant, "sub-1", "dlv-7", delivered)

    assert ok(agent.get(FAILURES))["data"] == []


def test_a_failed_sync_is_listed_and_its_retry_path_retries_it_out_of_the_failures(
        agent: Any, project: str, caller: Any, monkeypatch: Any) -> None:
    """Through moto's Step Functions with the real sync worker: the Slack fake refuses the token, then answers."""
    from types import SimpleNamespace

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    from cairn_local.fake_remote import fake_remote_server, slack_history, slack_messages
    from tests.http.sync_helpers import failed_slack_sync
    from tests.workflow_helpers import wait_settled

    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda seconds: None))  # retries at once
    tenant = agent.tenant
    with fake_remote_server() as slack:
        first = failed_slack_sync(tenant, project, slack)
        [failure] = ok(agent.get(FAILURES))["data"]
        assert (failure["id"], failure["kind"], failure["failureCode"]) == (first["id"], "workflow", "SourceAuthFailed")
        assert ok(agent.get(QUEUES))["syncs"] == {"running": 0}

        slack.route("/api/conversations.history", slack_history(slack_messages(3)))
        retry = ok(_operator(caller, tenant).post(failure["retryPath"], headers={"Idempotency-Key": "r-1"}))
        assert wait_settled(tenant, retry["id"])["status"] == "succeeded"

    assert ok(agent.get(FAILURES))["data"] == []
