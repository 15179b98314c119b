"""The event outbox (docs/platform.md, "Events and webhooks"): every state change that emits an event writes
its outbox item IN THE SAME TransactWriteItems as the change, so an event exists exactly when its change was
committed. The publisher (the table's stream) puts each new outbox item on the event bus and marks it
published with a conditional update, so one change is published at most once per successful mark.

A shared room, not a context: memory, sources, tasks and platform all emit events, and none may import
another's internals. Callers add ``outbox_operation(...)`` as the LAST operation of their transaction, so the
indexes they check in ``TransactionCancelled.failed(i)`` stay what they were.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from cairn.aws import failures
from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table
from cairn.core.clock import now, timestamp

TOPICS: Final = frozenset({
    "project.created", "project.deleted", "milestone.stored", "branch.created", "branch.merged",
    "branch.abandoned", "source.synced", "source.failed", "task.run.settled", "job.completed",
    "workflow.completed", "workflow.failed",
})

EVENT_SK: Final = "EVENT"
PENDING: Final = "pending"
PUBLISHED: Final = "published"
FAILED: Final = "failed"  # its last publish attempt failed: listed among the tenant's failures until retried

EVENT_WIRE = ("eventId", "topic", "tenant", "occurredAt", "detail", "deliveryState", "publishedAt",
              "publishAttempts", "lastPublishError", "failedAt")
OUTBOX_EVENT = declare(Entity("outbox event", pk="T#{t}#EVT#{eventId}", sk=EVENT_SK, wire=EVENT_WIRE,
                              always=("publishedAt",)))


def event_pk(tenant: str, event_id: str) -> str:
    return f"T#{escape(tenant)}#EVT#{escape(event_id)}"


def events_index_pk(tenant: str) -> str:
    """GSI1: a tenant's events, oldest first by ``{occurredAt}#{eventId}`` (the outbox listing)."""
    return f"T#{escape(tenant)}#EVENTS"


def new_event(tenant: str, topic: str, detail: dict[str, Any]) -> dict[str, Any]:
    if topic not in TOPICS:
        raise ValueError(f"unknown event topic {topic!r}")
    # Not from the id seam (cairn.core.ids): adding an event to a change must not shift the ids tests expect
    # for the change's own items.
    event_id, occurred_at = f"evt-{uuid.uuid4().hex}", timestamp(now())
    return {
        "PK": event_pk(tenant, event_id), "SK": EVENT_SK, "entity": OUTBOX_EVENT.name,
        "GSI1PK": events_index_pk(tenant), "GSI1SK": f"{occurred_at}#{event_id}",
        "eventId": event_id, "topic": topic, "tenant": tenant, "occurredAt": occurred_at, "detail": detail,
        "deliveryState": PENDING, "publishAttempts": 0,
    }


def outbox_operation(tenant: str, topic: str, detail: dict[str, Any]) -> dict[str, Any]:
    """The transact item that records ``topic`` happening for ``tenant``: put it in the same transaction as
    the change it announces (last, see the module's docstring). The event id is new, so it cannot collide."""
    return table().put_op(new_event(tenant, topic, detail), "attribute_not_exists(PK)")


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["eventId"], **OUTBOX_EVENT.to_wire(item)}


def load(tenant: str, event_id: str) -> dict[str, Any] | None:
    return table().get(event_pk(tenant, event_id), EVENT_SK)


def mark_published(tenant: str, event_id: str) -> bool:
    """``pending`` (or ``failed``: a retry) -> ``published``, conditionally, leaving the failures index: False
    when it was published already (a retried record)."""
    moment = timestamp(now())
    try:
        table().update(event_pk(tenant, event_id), EVENT_SK,
                       "SET deliveryState = :published, publishedAt = :now ADD publishAttempts :one "
                       f"REMOVE failedAt, {failures.REMOVE_CLAUSE}",
                       condition="deliveryState IN (:pending, :failed)",
                       values={":published": PUBLISHED, ":pending": PENDING, ":failed": FAILED, ":now": moment,
                               ":one": 1})
    except ConditionFailed:
        return False
    return True


def record_failure(tenant: str, event_id: str, error: str, *, final: bool) -> None:
    """A failed publish counts its attempt and keeps its error. Not ``final``: the event stays ``pending`` (the
    stream retries it). ``final`` (the last attempt): it becomes ``failed`` and joins the tenant's failures
    index (``cairn.aws.failures``), in the same write; ``retry`` publishes it again."""
    moment = timestamp(now())
    values = {":error": error[:500], ":now": moment, ":one": 1, ":pending": PENDING, ":failed": FAILED}
    expression = "SET lastPublishError = :error, lastAttemptAt = :now"
    if final:
        expression += ", deliveryState = :failed, failedAt = :now, " + failures.SET_CLAUSE
        values |= failures.set_values(tenant, failures.OUTBOX, event_id, moment)
    table().update(event_pk(tenant, event_id), EVENT_SK, expression + " ADD publishAttempts :one",
                   condition="deliveryState IN (:pending, :failed)", values=values)


def listed(tenant: str) -> list[dict[str, Any]]:
    """The tenant's events, oldest first, from GSI1 (the list conventions then filter, sort and page them)."""
    return [to_wire(item) for item in table().query_all(events_index_pk(tenant), index="GSI1")]
