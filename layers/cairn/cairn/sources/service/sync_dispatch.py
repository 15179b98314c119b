"""The schedule's dispatcher: starts a sync of every enabled source that is due, across tenants, found with one
Query of the due index (``sources.due``; docs/sources.md, "Schedule"). A source is due ``syncIntervalMinutes``
after its last run finished or failed; a source still running, disabled meanwhile or without a connection is
passed over (the last is marked failed by ``start_sync``, which also moves its due time on)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cairn.core import clock
from cairn.core.errors import Conflict, NotFound
from cairn.core.observability import logger
from cairn.sources.service.sync import start
from cairn.sources.store import sources

DUE_PER_TICK = 500  # sources started per invocation; the rest are due still and go at the next tick


@dataclass
class Dispatched:
    started: list[str] = field(default_factory=list)  # "{tenant}/{sourceId}"
    skipped: list[str] = field(default_factory=list)


def dispatch_due() -> Dispatched:
    result = Dispatched()
    for item in sources.due(clock.utc_now(), DUE_PER_TICK):
        name = f"{item['tenantId']}/{item['sourceId']}"
        try:
            _, started = start(item["tenantId"], item["sourceId"])
        except (Conflict, NotFound) as refused:
            logger().info("due source not started", source=name, reason=refused.message)
            result.skipped.append(name)
            continue
        (result.started if started else result.skipped).append(name)
    return result
