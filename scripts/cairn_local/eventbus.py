"""EventBridge rules for the local stack: moto keeps event buses and accepts ``PutEvents``, but it cannot invoke
Cairn's functions (in-process handlers). This module reads every ``Type: EventBridgeRule`` event of the
template's functions (its ``Pattern``, and its ``EventBusName``, else the default bus) and delivers each event
put on a bus to every rule that matches it, by invoking the target function's real handler in process with the
event EventBridge would send. Patterns use the matcher of the stream filters (``streams.matches``: value lists
and ``exists``).

How events reach it: ``emulator.install_patches`` wraps moto's ``PutEvents`` so that each entry moto accepts
(its bus must exist: the emulator creates the template's buses) is also handed to the bus installed here
with ``install``; code calling ``clients.client("events").put_events(...)`` needs no change. Local-only
events that AWS itself would emit (Step Functions' status changes, which moto does not emit) go through
``put_events`` below directly. With no bus installed, events are accepted and reach no function (as before).

Delivery is asynchronous, as in AWS: an event is queued and delivered by ``drain()`` (tests: deliver
everything, including what the handlers put in turn) or a background thread (``start()``: the dev server). A
handler that raises is retried twice (Lambda's asynchronous invocation), then the event is dropped for that
rule with a warning.

    bus = LocalEventBus()
    eventbus.install(bus)
    bus.drain()           # tests
    bus.start()           # the dev server
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cairn_local import handlers, template
from cairn_local.resolve import ACCOUNT, REGION, LocalNames
from cairn_local.streams import Invoker, matches

log = logging.getLogger("cairn.local.eventbus")
DEFAULT_BUS = "default"
ASYNC_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice


@dataclass(frozen=True)
class Rule:
    """One ``Type: EventBridgeRule`` event of a template function."""

    logical_id: str  # the target function
    name: str  # the event's name in the template
    bus: str
    pattern: dict[str, Any]

    def admits(self, bus: str, event: dict[str, Any]) -> bool:
        return bus == self.bus and matches(self.pattern, event)


def rules(names: LocalNames | None = None) -> list[Rule]:
    names = names or LocalNames()
    found = []
    for logical_id, spec in template.resources("AWS::Serverless::Function").items():
        for event_name, event in spec["Properties"].get("Events", {}).items():
            if event["Type"] != "EventBridgeRule":
                continue
            props = event["Properties"]
            bus = names.value(props["EventBusName"]) if "EventBusName" in props else DEFAULT_BUS
            found.append(Rule(logical_id, event_name, bus_name(str(bus)), names.resolved(props["Pattern"])))
    return found


def bus_name(name_or_arn: str | None) -> str:
    """``EventBusName`` may be a name or an ARN (``...:event-bus/<name>``); absent is the default bus."""
    if not name_or_arn:
        return DEFAULT_BUS
    return name_or_arn.rsplit("event-bus/", 1)[-1]


def event_message(entry: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """A ``PutEvents`` entry as EventBridge hands it to a rule's target."""
    moment = entry.get("Time") or datetime.now(UTC)
    return {
        "version": "0", "id": event_id or str(uuid.uuid4()), "detail-type": entry["DetailType"],
        "source": entry["Source"], "account": ACCOUNT,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(moment, datetime) else str(moment),
        "region": REGION, "resources": list(entry.get("Resources", [])), "detail": json.loads(entry["Detail"]),
    }


class LocalEventBus:
    """Queues the events put on the local buses and delivers them to the template's matching rules."""

    def __init__(self, rule_list: list[Rule] | None = None, invoke: Invoker = handlers.invoke) -> None:
        self.rules = rules() if rule_list is None else rule_list
        self.invoke = invoke
        self._queue: queue.Queue[tuple[Rule, dict[str, Any]]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delivered = 0

    def accept(self, bus: str, event: dict[str, Any]) -> int:
        """Queues ``event`` (an EventBridge event message) for every rule on ``bus`` it matches; returns how many."""
        admitted = [rule for rule in self.rules if rule.admits(bus, event)]
        for rule in admitted:
            self._queue.put((rule, event))
        return len(admitted)

    def _deliver(self, rule: Rule, event: dict[str, Any]) -> None:
        for attempt in range(ASYNC_RETRIES + 1):
            try:
                self.invoke(rule.logical_id, event)
                self.delivered += 1
                return
            except Exception:  # Lambda's asynchronous invocation: retried, then dropped (logged)
                log.exception("%s (rule %s) failed on event %s, attempt %d", rule.logical_id, rule.name,
                              event.get("id"), attempt + 1)

    def deliver_one(self, timeout: float | None = None) -> bool:
        """Delivers the oldest queued event; False when none came within ``timeout`` (None: none queued)."""
        try:
            rule, event = self._queue.get(block=timeout is not None, timeout=timeout)
        except queue.Empty:
            return False
        try:
            self._deliver(rule, event)
        finally:
            self._queue.task_done()
        return True

    def drain(self) -> int:
        """Delivers every queued event, and those their handlers put in turn; returns how many deliveries."""
        count = 0
        while self.deliver_one():
            count += 1
        return count

    def start(self) -> None:
        def run() -> None:
            while not self._stop.is_set():
                self.deliver_one(timeout=0.2)

        self._thread = threading.Thread(target=run, name="cairn-event-bus", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


_installed: LocalEventBus | None = None


def install(bus: LocalEventBus | None) -> LocalEventBus | None:
    """Makes ``bus`` the one events put in this process reach (None: none); returns the previous one."""
    global _installed
    previous, _installed = _installed, bus
    return previous


def installed() -> LocalEventBus | None:
    return _installed


def accepted(entry: dict[str, Any], event_id: str) -> None:
    """moto accepted ``entry`` as ``event_id`` (the ``PutEvents`` hook): the installed bus routes it."""
    if _installed is not None:
        _installed.accept(bus_name(entry.get("EventBusName")), event_message(entry, event_id))


def put_events(entries: list[dict[str, Any]]) -> int:
    """Routes ``PutEvents``-shaped entries straight to the installed bus, bypassing moto: for the events AWS
    itself emits (``aws.states`` status changes), which moto does not. Returns the deliveries queued."""
    if _installed is None:
        return 0
    return sum(_installed.accept(bus_name(entry.get("EventBusName")), event_message(entry)) for entry in entries)
