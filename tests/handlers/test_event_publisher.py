"""events/event_publisher.json (a stream INSERT of an outbox event) and a real project's event through
EventPublisherFunction's handler: the event is put on the bus once and marked published."""

from __future__ import annotations

import copy
import json
from typing import Any

from cairn.aws import outbox
from cairn.aws.table import marshal
from cairn.platform.service.publisher import PUBLISH_ATTEMPTS
from cairn_local import ROOT, eventbus, handlers, template
from cairn_local.eventbus import LocalEventBus, Rule


def _sample() -> dict[str, Any]:
    return copy.deepcopy(json.loads((ROOT / "events" / "event_publisher.json").read_text()))


def test_the_sample_event_of_an_unknown_event_publishes_nothing(aws: dict[str, str]) -> None:
    assert handlers.invoke("EventPublisherFunction", _sample()) == {"batchItemFailures": []}


def test_a_projects_event_is_put_on_the_bus_once_and_marked_published(agent: Any, project: str) -> None:
    [listed] = outbox.listed(agent.tenant)
    item = outbox.load(agent.tenant, listed["eventId"]) or {}
    record = _sample()
    record["Records"][0]["dynamodb"]["NewImage"] = marshal(item)
    received: list[dict[str, Any]] = []
    bus = LocalEventBus([Rule("Receiver", "All", "cairn-local-events", {"source": ["cairn"]})],
                        invoke=lambda _function, event: received.append(event))
    previous = eventbus.install(bus)
    try:
        assert handlers.invoke("EventPublisherFunction", record) == {"batchItemFailures": []}
        assert handlers.invoke("EventPublisherFunction", record) == {"batchItemFailures": []}  # a retried record
        bus.drain()
    finally:
        eventbus.install(previous)

    [event] = received
    assert (event["source"], event["detail-type"]) == ("cairn", "project.created")
    assert event["detail"] == {"eventId": item["eventId"], "topic": "project.created", "tenant": agent.tenant,
                               "occurredAt": item["occurredAt"], "detail": {"projectId": project}}
    assert (outbox.load(agent.tenant, item["eventId"]) or {})["deliveryState"] == "published"


def test_the_stream_mapping_retries_as_often_as_the_publisher_counts() -> None:
    spec = template.resources("AWS::Serverless::Function")["EventPublisherFunction"]["Properties"]
    stream = spec["Events"]["OutboxStream"]["Properties"]
    assert stream["MaximumRetryAttempts"] + 1 == PUBLISH_ATTEMPTS
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
