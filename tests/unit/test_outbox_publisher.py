"""The publisher puts each outbox event on the bus once, marks it published, and records a failed put."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from cairn.aws import clients, failures, outbox
from cairn.aws.table import table
from cairn.core.errors import Conflict, NotFound, UpstreamError
from cairn.core.settings import get_settings
from cairn.platform.service.publisher import (
    PUBLISH_ATTEMPTS,
    PublishFailed,
    publish,
    publish_stream_batch,
    retry_event,
)

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


def test_the_last_failed_attempt_marks_the_event_failed_in_the_failures_index(aws: dict[str, str],
                                                                             tenant: str) -> None:
    item, record = _inserted(tenant, "project.created")
    later = {"eventName": "INSERT", "dynamodb": {**_inserted(tenant, "branch.created")[1]["dynamodb"],
                                                 "SequenceNumber": "8"}}

    for _ in range(PUBLISH_ATTEMPTS - 1):  # the stream retries from the failed record
        assert publish_stream_batch([record, later], "no-such-bus", lambda _item, error: None) == ["7"]
    # The last attempt gives up on it (failed, listed among the failures) and goes on with the next event,
    # which fails too (the bus is still missing), and is retried.
    assert publish_stream_batch([record, later], "no-such-bus", lambda _item, error: None) == ["8"]

    stored = outbox.load(tenant, item["eventId"]) or {}
    assert (stored["deliveryState"], stored["publishAttempts"]) == ("failed", PUBLISH_ATTEMPTS)
    assert stored["GSI2PK"] == failures.failures_pk(tenant)
    assert stored["GSI2SK"] == f"{stored['failedAt']}#outbox#{item['eventId']}"
    assert publish(stored, "no-such-bus") is False  # a redelivered record leaves a failed event to retry_event


def test_retry_event_publishes_a_failed_event_and_leaves_the_failures_index(bus: str, tenant: str,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    item, record = _inserted(tenant, "project.created")
    monkeypatch.setenv("CAIRN_EVENT_BUS_NAME", bus)
    get_settings.cache_clear()
    with pytest.raises(Conflict):
        retry_event(tenant, item["eventId"])  # pending: nothing to retry
    for _ in range(PUBLISH_ATTEMPTS):
        publish_stream_batch([record], "no-such-bus", lambda _item, error: None)

    answered = retry_event(tenant, item["eventId"])

    stored = outbox.load(tenant, item["eventId"]) or {}
    assert (answered["id"], answered["deliveryState"]) == (item["eventId"], "published")
    assert stored["deliveryState"] == "published"
    assert not {"GSI2PK", "GSI2SK", "failedAt"} & set(stored)
    with pytest.raises(NotFound):
        retry_event(f"{tenant}-other", item["eventId"])  # another tenant's event


def test_retry_event_refused_again_keeps_it_failed(aws: dict[str, str], tenant: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    item, record = _inserted(tenant, "project.created")
    for _ in range(PUBLISH_ATTEMPTS):
        publish_stream_batch([record], "no-such-bus", lambda _item, error: None)
    monkeypatch.setenv("CAIRN_EVENT_BUS_NAME", "no-such-bus")
    get_settings.cache_clear()

    with pytest.raises(UpstreamError):
        retry_event(tenant, item["eventId"])

    stored = outbox.load(tenant, item["eventId"]) or {}
    assert (stored["deliveryState"], stored["publishAttempts"]) == ("failed", PUBLISH_ATTEMPTS + 1)
    assert stored["GSI2PK"] == failures.failures_pk(tenant)


def test_other_items_of_the_stream_are_ignored(aws: dict[str, str]) -> None:
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"entity": {"S": "project"}}, "SequenceNumber": "1"}}
    assert publish_stream_batch([record], BUS, lambda _item, error: None) == []
