"""Events to webhooks end to end (docs/platform.md, "Events and webhooks"): real changes write outbox events; the
table's stream runs the real publisher (EventPublisherFunction), which puts them on the bus; the local EventBridge
runs the real delivery function, which starts one webhook-delivery execution per subscription in moto's Step
Functions; its attempts POST to a receiver on 127.0.0.1 that fails every delivery twice before accepting it.
Every event is delivered once, after two retries, signed as the docs' receiver example verifies."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cairn.core.settings import get_settings
from cairn.sources.store import sources
from cairn_local.streams import StreamPoller, stream_sources
from tests.http.helpers import create_branch, create_project, merge_body, ok, stored, url
from tests.http.job_helpers import accepted, export, settled
from tests.http.sync_helpers import add_source
from tests.http.test_task_runs import _init, _settled, _started, _upload
from tests.unit.test_webhook_signatures import _documented_verify

pytestmark = pytest.mark.fresh_table  # the stream poller reads the whole table's stream
SECRET = "whsec-e2e-" + "k" * 24
FAILURES_FIRST = 2
WAIT_SECONDS = 30


class Receiver(ThreadingHTTPServer):
    """Answers 500 to the first two attempts of each delivery, then 200; keeps every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.attempts: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/cairn"

    def delivered(self) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return [(headers, body) for headers, body, status in self.requests if status == 200]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}
        with self.server.lock:
            self.server.attempts[headers["x-cairn-delivery"]] += 1
            status = 500 if self.server.attempts[headers["x-cairn-delivery"]] <= FAILURES_FIRST else 200
            self.server.requests.append((headers, body, status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def immediate_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backoff's waits scaled to 0 s (CAIRN_WEBHOOK_RETRY_SCALE: test and local stacks only)."""
    monkeypatch.setenv("CAIRN_WEBHOOK_RETRY_SCALE", "0")
    get_settings.cache_clear()


def _subscribe(who: Any, target: str, topics: list[str]) -> dict[str, Any]:
    return ok(who.post("/api/v1/webhook-subscriptions", json={"url": target, "topics": topics, "secret": SECRET},
                       headers={"Idempotency-Key": uuid.uuid4().hex}))


def test_every_topic_is_delivered_once_after_two_failures_signed_as_documented(
        agent: Any, caller: Any, task_caller: Any, receiver: Receiver, event_bus: Any,
        immediate_retries: None) -> None:
    tenant_topics = ["project.created", "project.deleted", "milestone.stored", "branch.created", "branch.merged",
                     "branch.abandoned", "source.synced", "source.failed", "job.completed", "workflow.completed"]
    subscription = _subscribe(agent, receiver.url, tenant_topics)
    runner = task_caller()
    _subscribe(caller(runner.installation, roles=("admin",)), receiver.url, ["task.run.settled", "workflow.failed"])

    project = create_project(agent)["projectId"]
    create_branch(agent, project, "feature")
    stored(agent, project, "on main")
    ok(agent.post(url(project, "/merge"), json=merge_body("feature")))
    create_branch(agent, project, "spike")
    ok(agent.post(url(project, "/branches/spike/abandon"), json={"reason": "superseded"}))
    for source_id, finish in (("synced", True), ("broken", False)):
        add_source(agent.tenant, project, source_id, "slack", {"channelId": "C1"})
        sources.begin_run(agent.tenant, source_id, f"run-{source_id}")
        if finish:
            sources.finish_run(agent.tenant, source_id, f"run-{source_id}", "cursor-1")
        else:
            sources.fail_run(agent.tenant, source_id, f"run-{source_id}", "the provider answered 500")
    job = accepted(export(agent, [project]))
    assert settled(agent, job["jobId"])["status"] == "succeeded"  # job.completed, workflow.completed (the export)
    assert agent.delete(url(project)).status_code == 200  # project.deleted; its purge's workflow.completed
    init = _init(runner)
    _upload(init, body=b"\xff\xfe not text")  # the model cannot take it: the run and its execution fail
    _started(runner, init)
    run_id = init["runId"]
    assert _settled(runner, run_id)["status"] == "failed"
    # Two branches were created, two executions completed (the export and the purge).
    produced = [*tenant_topics, "branch.created", "workflow.completed", "task.run.settled", "workflow.failed"]
    expected = len(produced)

    publisher = [source for source in stream_sources() if source.logical_id == "EventPublisherFunction"]
    poller = StreamPoller(get_settings().table_name, sources=publisher)
    deadline = time.monotonic() + WAIT_SECONDS
    while len(receiver.delivered()) < expected:
        assert time.monotonic() < deadline, f"delivered {len(receiver.delivered())} of {expected} in time"
        poller.poll_once()
        event_bus.drain()
        time.sleep(0.05)
    time.sleep(0.3)  # nothing more arrives: no event is delivered twice

    delivered = receiver.delivered()
    events = [json.loads(body) for _, body in delivered]
    assert sorted(event["topic"] for event in events) == sorted(produced)
    assert len({headers["x-cairn-delivery"] for headers, _ in delivered}) == expected
    assert all(count == FAILURES_FIRST + 1 for count in receiver.attempts.values())
    verify = _documented_verify()
    for headers, body in delivered:
        assert verify(SECRET, body, headers["x-cairn-signature"])
        assert not verify("another-secret-of-16+", body, headers["x-cairn-signature"])
    with receiver.lock:  # every attempt of a delivery carried the same bytes
        bodies: dict[str, set[bytes]] = {}
        for headers, body, _ in receiver.requests:
            bodies.setdefault(headers["x-cairn-delivery"], set()).add(body)
    assert all(len(sent) == 1 for sent in bodies.values())
    by_topic = {event["topic"]: event for event in events}  # (the last of the two branch.created)
    assert by_topic["task.run.settled"]["tenant"] == runner.installation
    assert by_topic["task.run.settled"]["detail"] == {"runId": run_id, "status": "failed"}
    assert by_topic["workflow.failed"]["tenant"] == runner.installation
    assert by_topic["workflow.failed"]["detail"]["resource"] == {"runId": run_id}
    assert by_topic["branch.merged"]["tenant"] == agent.tenant

    log = ok(agent.get(f"/api/v1/webhook-subscriptions/{subscription['id']}/deliveries?limit=100"))
    assert log["page"]["total"] == expected - 2  # all but the installation's
    for delivery in log["data"]:
        assert (delivery["status"], delivery["attempts"], delivery["responseCode"]) == ("delivered", 3, 200)
        assert [entry["responseCode"] for entry in delivery["attemptLog"]] == [500, 500, 200]
        assert delivery["nextAttemptAt"] is None
        assert delivery["failedAt"] is None
    page = ok(agent.get(f"/api/v1/webhook-subscriptions/{subscription['id']}/deliveries?limit=2&sortOrder=asc"))
    assert [item["id"] for item in page["data"]] == [item["id"] for item in
                                                     sorted(log["data"], key=lambda d: (d["createdAt"], d["id"]))][:2]
    assert page["page"]["total"] == log["page"]["total"]
    failing = ok(agent.get(f"/api/v1/webhook-subscriptions/{subscription['id']}/deliveries?status=failing"))
    assert (failing["data"], failing["filters"]) == ([], {"status": "failing"})
