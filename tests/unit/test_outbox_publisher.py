"""The publisher puts each outbox event on the bus once, marks it published, and records a failed put."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from cairn.aws import clients, outbox
from cairn.aws.table import table
from cairn.platform.service.publisher import PublishFailed, publish, publish_stream_batch

BUS = "cairn-test-bus"


def _inserted(tenant: str, topic: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event committed with its change, and the stream record of its insert."""
    operation = outbox.outbox_operation(tenant, topic, {"projectId": "p"})
    table().transact([operation])
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": operation["Put"]["Item"], "SequenceNumber": "7"}}
    return outbox.load(tenant, operation["Put"]["Item"]["eventId"]["S"]) or {}, record


@pytest.fixture
def bus(aws: dict[str, str]) -> str:
    events = clients.client("events")
    with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):  # made by an earlier test
        events.create_event_bus(Name=BUS)
    return BUS


def test_an_event_is_published_once_and_marked(bus: str, tenant: str) -> None:
    item, record = _inserted(tenant, "branch.created")
    errors: list[BaseException] = []

    assert publish_stream_batch([record], bus, lambda _item, error: errors.append(error)) == []
    assert publish_stream_batch([record], bus, lambda _item, error: errors.append(error)) == []  # a retry

    stored = outbox.load(tenant, item["eventId"]) or {}
    assert (stored["deliveryState"], stored["publishAttempts"], errors) == ("published", 1, [])
    assert stored["publishedAt"]
    assert publish(stored, bus) is False


def test_a_failed_put_is_recorded_and_the_record_reported(aws: dict[str, str], tenant: str) -> None:
    item, record = _inserted(tenant, "project.created")
    errors: list[BaseException] = []

    failed = publish_stream_batch([record], "no-such-bus", lambda _item, error: errors.append(error))

    stored = outbox.load(tenant, item["eventId"]) or {}
    assert failed == ["7"]
    assert [type(error) for error in errors] == [PublishFailed]
    assert (stored["deliveryState"], stored["publishAttempts"]) == ("pending", 1)
    assert stored["lastPublishError"]


def test_other_items_of_the_stream_are_ignored(aws: dict[str, str]) -> None:
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"entity": {"S": "project"}}, "SequenceNumber": "1"}}
    assert publish_stream_batch([record], BUS, lambda _item, error: None) == []
