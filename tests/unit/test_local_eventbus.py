"""The local EventBridge (scripts/cairn_local/eventbus.py): the template's rules, events put through moto reaching
the matching rules' functions, and AWS-emitted events put straight on the local bus."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cairn_local import eventbus
from cairn_local.eventbus import LocalEventBus, Rule
from cairn_local.resolve import REGION, LocalNames

CAIRN_BUS = "cairn-local-events"


class Recorder:
    def __init__(self, failures: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures = failures

    def __call__(self, logical_id: str, event: dict[str, Any]) -> None:
        self.calls.append((logical_id, event))
        if len(self.calls) <= self.failures:
            raise RuntimeError("handler failed")


@pytest.fixture
def recorded(aws: dict[str, str]) -> Any:
    recorder = Recorder()
    bus = LocalEventBus([Rule("CreatedFunction", "Created", CAIRN_BUS,
                              {"source": ["cairn"], "detail-type": ["project.created"]})], invoke=recorder)
    previous = eventbus.install(bus)
    yield bus, recorder
    eventbus.install(previous)


def _entry(topic: str, bus: str = CAIRN_BUS) -> dict[str, Any]:
    return {"Source": "cairn", "DetailType": topic, "EventBusName": bus,
            "Detail": json.dumps({"tenant": "t1", "detail": {"projectId": "p1"}})}


def test_the_template_rules_resolve_their_buses_and_resources() -> None:
    rules = {rule.logical_id: rule for rule in eventbus.rules()}
    workflow = rules["WorkflowEventsFunction"]
    assert workflow.bus == "default"
    assert workflow.pattern["source"] == ["aws.states"]
    assert "arn:aws:states:us-east-1:123456789012:stateMachine:cairn-local-project-purge" in \
        workflow.pattern["detail"]["stateMachineArn"]
    assert LocalNames().ref("CairnEventBus") == CAIRN_BUS


def test_events_put_through_the_api_reach_the_matching_rule_once_drained(recorded: Any) -> None:
    bus, recorder = recorded
    response = boto3.client("events", region_name=REGION).put_events(
        Entries=[_entry("project.created"), _entry("project.deleted"), _entry("project.created", "default")])
    assert response["FailedEntryCount"] == 0
    assert recorder.calls == []  # asynchronous, as in AWS
    assert bus.drain() == 1
    (logical_id, event), = recorder.calls
    assert logical_id == "CreatedFunction"
    assert event["id"] == response["Entries"][0]["EventId"]
    assert (event["source"], event["detail-type"]) == ("cairn", "project.created")
    assert event["detail"] == {"tenant": "t1", "detail": {"projectId": "p1"}}
    assert {"version", "account", "time", "region", "resources"} <= set(event)


def test_a_bus_the_emulator_did_not_create_is_refused(recorded: Any) -> None:
    with pytest.raises(ClientError, match="ResourceNotFound"):
        boto3.client("events", region_name=REGION).put_events(Entries=[_entry("project.created", "nope")])


def test_a_failing_handler_is_retried_twice_then_dropped(aws: dict[str, str]) -> None:
    recorder = Recorder(failures=5)
    bus = LocalEventBus([Rule("F", "R", "default", {"source": ["cairn"]})], invoke=recorder)
    previous = eventbus.install(bus)
    try:
        assert eventbus.put_events([_entry("project.created", "default")]) == 1
        assert bus.drain() == 1
    finally:
        eventbus.install(previous)
    assert len(recorder.calls) == 1 + eventbus.ASYNC_RETRIES
    assert bus.delivered == 0


def test_aws_emitted_events_reach_the_workflow_events_rule() -> None:
    recorder = Recorder()
    bus = LocalEventBus(invoke=recorder)
    previous = eventbus.install(bus)
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:cairn-local-task-run"
    change = {"Source": "aws.states", "DetailType": "Step Functions Execution Status Change",
              "Detail": json.dumps({"status": "SUCCEEDED", "stateMachineArn": machine})}
    try:
        assert eventbus.put_events([change, {**change, "Detail": json.dumps({"status": "RUNNING",
                                                                             "stateMachineArn": machine})}]) == 1
        bus.drain()
    finally:
        eventbus.install(previous)
    assert [logical_id for logical_id, _ in recorder.calls] == ["WorkflowEventsFunction"]
