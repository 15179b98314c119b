"""Webhook deliveries' attempts (cairn/platform/service/deliveries.py) against a stub receiver and the fake clock:
the delivery log, the backoff, the failures index, exhaustion after 24 h and disabling the subscription."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest

from cairn.aws import failures
from cairn.core.errors import UpstreamError
from cairn.integrations import remote
from cairn.platform.domain.signatures import verify
from cairn.platform.service import deliveries, webhooks
from cairn.platform.store import webhooks as store

SECRET = "whsec-unit-" + "u" * 20


class StubReceiver:
    """Answers the queued statuses in turn (an exception is raised instead); keeps every request."""

    def __init__(self) -> None:
        self.answers: list[int | Exception] = []
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, body: bytes, headers: dict[str, str], **_: Any) -> remote.Reply:
        self.requests.append((url, body, headers))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return remote.Reply(answer, "")


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> StubReceiver:
    stub = StubReceiver()
    monkeypatch.setattr(remote, "post", stub.post)
    return stub


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """The executions fan-out would start (the state machine is not run here: the test attempts)."""
    calls: list[tuple[str, str, str]] = []
    monkeypatch.setattr(deliveries, "_start", lambda *args: calls.append(args))
    return calls


def _event(tenant: str, topic: str = "project.created", event_id: str = "evt-1") -> dict[str, Any]:
    return {"detail": {"eventId": event_id, "topic": topic, "tenant": tenant, "occurredAt": "2026-12-03T07:00:00Z",
                       "detail": {"projectId": "p1"}}}


def _subscribe(tenant: str, topics: tuple[str, ...] = ("project.created",)) -> str:
    return str(webhooks.create(tenant, "http://127.0.0.1:9/hook", list(topics), SECRET)["id"])


def _one_delivery(tenant: str, subscription: str) -> dict[str, Any]:
    [delivery] = store.deliveries(tenant, subscription)
    return delivery


def test_fan_out_records_one_delivery_per_enabled_subscription_to_the_topic_once(
        aws: dict[str, str], tenant: str, started: list[Any]) -> None:
    wanted, other_topic = _subscribe(tenant), _subscribe(tenant, ("branch.created",))

    assert deliveries.fan_out(_event(tenant)) == 1
    deliveries.fan_out(_event(tenant))  # the bus handed the same event over again

    delivery = _one_delivery(tenant, wanted)
    assert (delivery["status"], delivery["attempts"], delivery["eventId"]) == ("pending", 0, "evt-1")
    assert store.deliveries(tenant, other_topic) == []
    assert {call[2] for call in started} == {delivery["deliveryId"]}


def test_a_failed_attempt_waits_the_backoff_is_listed_as_a_failure_and_a_success_clears_it(
        aws: dict[str, str], tenant: str, clock: Any, started: list[Any], receiver: StubReceiver) -> None:
    subscription = _subscribe(tenant)
    deliveries.fan_out(_event(tenant))
    delivery_id = _one_delivery(tenant, subscription)["deliveryId"]
    receiver.answers = [503, UpstreamError("the webhook receiver did not answer within 10 s"), 204]

    assert deliveries.attempt(tenant, subscription, delivery_id) == {"done": False, "waitSeconds": 5}
    failing = _one_delivery(tenant, subscription)
    assert (failing["status"], failing["responseCode"], failing["attempts"]) == ("failing", 503, 1)
    assert failing["GSI2PK"] == failures.failures_pk(tenant)
    assert failing["GSI2SK"].endswith(f"#delivery#{delivery_id}")
    assert failing["nextAttemptAt"] > failing["lastAttemptAt"]
    assert store.subscription(tenant, subscription)["failingSince"] == failing["lastAttemptAt"]

    clock.advance(timedelta(seconds=5))
    assert deliveries.attempt(tenant, subscription, delivery_id) == {"done": False, "waitSeconds": 15}
    clock.advance(timedelta(seconds=15))
    assert deliveries.attempt(tenant, subscription, delivery_id) == {"done": True}

    delivered = store.delivery_to_wire(_one_delivery(tenant, subscription))
    assert (delivered["status"], delivered["attempts"], delivered["responseCode"]) == ("delivered", 3, 204)
    assert [(entry["responseCode"], entry["error"]) for entry in delivered["attemptLog"]] == [
        (503, "the webhook receiver answered HTTP 503"),
        (None, "the webhook receiver did not answer within 10 s"), (204, None)]
    assert not {"GSI2PK", "GSI2SK", "failureKind"} & set(_one_delivery(tenant, subscription))
    assert store.subscription(tenant, subscription).get("failingSince") is None
    assert deliveries.attempt(tenant, subscription, delivery_id) == {"done": True}  # a settled one is left alone
    assert len(receiver.requests) == 3


def test_every_attempt_is_signed_over_the_same_bytes_with_the_same_delivery_id(
        aws: dict[str, str], tenant: str, clock: Any, started: list[Any], receiver: StubReceiver) -> None:
    subscription = _subscribe(tenant)
    deliveries.fan_out(_event(tenant))
    delivery_id = _one_delivery(tenant, subscription)["deliveryId"]
    receiver.answers = [500, 200]
    deliveries.attempt(tenant, subscription, delivery_id)
    clock.advance(timedelta(seconds=5))
    deliveries.attempt(tenant, subscription, delivery_id)

    (url, first, headers), (_, second, later) = receiver.requests
    assert url == "http://127.0.0.1:9/hook"
    assert first == second
    assert headers["x-cairn-delivery"] == later["x-cairn-delivery"] == delivery_id
    now = int(clock.now().timestamp())
    assert verify(SECRET, second, later["x-cairn-signature"], now)
    assert not verify("another-secret-entirely", second, later["x-cairn-signature"], now)


def test_after_24_hours_of_failures_the_delivery_is_exhausted_and_the_subscription_disabled(
        aws: dict[str, str], tenant: str, clock: Any, started: list[Any], receiver: StubReceiver) -> None:
    subscription = _subscribe(tenant)
    deliveries.fan_out(_event(tenant))
    first = _one_delivery(tenant, subscription)["deliveryId"]
    receiver.answers = [500, 500]
    deliveries.attempt(tenant, subscription, first)
    deliveries.fan_out(_event(tenant, event_id="evt-2"))  # another event while failing
    clock.advance(timedelta(hours=24))

    assert deliveries.attempt(tenant, subscription, first) == {"done": True}

    exhausted = store.delivery(tenant, subscription, first) or {}
    assert (exhausted["status"], exhausted.get("nextAttemptAt")) == ("exhausted", None)
    assert exhausted["GSI2PK"] == failures.failures_pk(tenant)
    shown = webhooks.get(tenant, subscription)
    assert shown["enabled"] is False
    assert "failed for 24 hours" in shown["disabledReason"]
    second = deliveries.delivery_id(subscription, "evt-2")
    assert deliveries.attempt(tenant, subscription, second) == {"done": True}  # cancelled, never sent
    assert (store.delivery(tenant, subscription, second) or {})["status"] == "cancelled"
    assert len(receiver.requests) == 2
    assert deliveries.fan_out(_event(tenant, event_id="evt-3")) == 0  # a disabled subscription gets nothing


def test_a_deleted_subscriptions_open_delivery_is_cancelled(aws: dict[str, str], tenant: str,
                                                            started: list[Any], receiver: StubReceiver) -> None:
    subscription = _subscribe(tenant)
    deliveries.fan_out(_event(tenant))
    delivery_id = _one_delivery(tenant, subscription)["deliveryId"]
    webhooks.delete(tenant, subscription)

    assert deliveries.attempt(tenant, subscription, delivery_id) == {"done": True}
    assert (store.delivery(tenant, subscription, delivery_id) or {})["status"] == "cancelled"
    assert receiver.requests == []


def test_resume_attempts_an_open_delivery_again_in_a_new_execution(aws: dict[str, str], tenant: str,
                                                                   receiver: StubReceiver) -> None:
    """What the dev server does at start for deliveries whose execution its last shutdown cut off."""
    subscription = _subscribe(tenant)
    event = _event(tenant)["detail"]
    delivery_id = deliveries.delivery_id(subscription, event["eventId"])
    store.create_delivery(tenant, subscription, delivery_id, event, json.dumps(event), "2026-12-03T07:00:00Z")
    receiver.answers = [200]

    deliveries.resume(tenant, subscription, delivery_id)

    deadline = time.monotonic() + 20
    while (store.delivery(tenant, subscription, delivery_id) or {})["status"] != "delivered":
        assert time.monotonic() < deadline, "the resumed delivery was not attempted"
        time.sleep(0.05)
    assert len(receiver.requests) == 1
