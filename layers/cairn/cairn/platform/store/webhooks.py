"""Webhook subscriptions and their deliveries (docs/platform.md, "Events and webhooks"; docs/key-design.md).

A subscription is one item in the tenant's subscriptions partition; its secret is not in it (Secrets Manager,
``cairn.platform.service.webhooks``). A delivery (one event to one subscription) is one item in the
subscription's deliveries partition, created once per (subscription, event) (a conditional put on an id derived
from both, so an event the bus delivers twice is delivered once) and moved by conditional updates:
``pending`` -> ``failing`` (attempted, will be attempted again) -> ``delivered`` | ``exhausted`` (24 h of
failures) | ``cancelled`` (its subscription was deleted or disabled). Each attempt appends to its ``attemptLog``.
A failing or exhausted delivery carries the failures index keys (``cairn.aws.failures``), removed when a later
attempt delivers it.
"""

from __future__ import annotations

from typing import Any, Final

from cairn.aws import failures
from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table

_COUNT_SK: Final = "COUNT"  # the tenant's subscription count, beside its subscriptions
PENDING, FAILING, DELIVERED, EXHAUSTED, CANCELLED = "pending", "failing", "delivered", "exhausted", "cancelled"
OPEN: Final = (PENDING, FAILING)

_SUBSCRIPTION_WIRE = ("subscriptionId", "url", "topics", "enabled", "createdAt", "failingSince", "disabledAt",
                      "disabledReason")
SUBSCRIPTION = declare(Entity("webhook subscription", pk="T#{t}#WEBHOOKS", sk="SUB#{subscriptionId}",
                              wire=_SUBSCRIPTION_WIRE, always=_SUBSCRIPTION_WIRE))
SUBSCRIPTION_COUNT = declare(Entity("webhook subscription count", pk="T#{t}#WEBHOOKS", sk=_COUNT_SK))
_DELIVERY_WIRE = ("deliveryId", "subscriptionId", "eventId", "topic", "status", "attempts", "responseCode",
                  "lastError", "createdAt", "lastAttemptAt", "nextAttemptAt", "deliveredAt", "failedAt",
                  "attemptLog")
DELIVERY = declare(Entity("webhook delivery", pk="T#{t}#WHDLV#{subscriptionId}", sk="DLV#{deliveryId}",
                          wire=_DELIVERY_WIRE, always=_DELIVERY_WIRE))
_STATUS = {"#status": "status"}
_OPEN_VALUES = {":pending": PENDING, ":failing": FAILING}


def _subscriptions_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#WEBHOOKS"


def _deliveries_pk(tenant: str, subscription_id: str) -> str:
    return f"T#{escape(tenant)}#WHDLV#{escape(subscription_id)}"


# --- subscriptions ----------------------------------------------------------------------------------------------


def subscription_to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["subscriptionId"], **SUBSCRIPTION.to_wire(item)}


def put_subscription(tenant: str, subscription_id: str, url: str, topics: list[str], created_at: str,
                     cap: int) -> dict[str, Any] | None:
    """Puts the subscription and counts it in one transaction, so that the tenant's cap holds under concurrent
    creates; None when the tenant holds ``cap`` already."""
    item = {"PK": _subscriptions_pk(tenant), "SK": f"SUB#{subscription_id}", "entity": SUBSCRIPTION.name,
            "subscriptionId": subscription_id, "url": url, "topics": topics, "enabled": True,
            "createdAt": created_at}
    db = table()
    counted = db.transact_guarded([
        db.update_op(_subscriptions_pk(tenant), _COUNT_SK, "SET entity = :entity ADD subscriptions :one",
                     condition="attribute_not_exists(subscriptions) OR subscriptions < :cap",
                     values={":entity": SUBSCRIPTION_COUNT.name, ":one": 1, ":cap": cap}),
        db.put_op(item, condition="attribute_not_exists(PK)"),
    ])
    return item if counted else None


def subscription(tenant: str, subscription_id: str) -> dict[str, Any] | None:
    return table().get(_subscriptions_pk(tenant), f"SUB#{subscription_id}")


def subscriptions(tenant: str) -> list[dict[str, Any]]:
    """Every subscription of the tenant (one Query of its partition: a tenant holds a few)."""
    return list(table().query_all(_subscriptions_pk(tenant), sk_prefix="SUB#"))


def delete_subscription(tenant: str, subscription_id: str) -> bool:
    """Deletes the subscription and uncounts it in one transaction; False when there was none."""
    db = table()
    return db.transact_guarded([
        db.delete_op(_subscriptions_pk(tenant), f"SUB#{subscription_id}", condition="attribute_exists(PK)"),
        db.update_op(_subscriptions_pk(tenant), _COUNT_SK, "ADD subscriptions :minus", values={":minus": -1}),
    ])


def mark_failing(tenant: str, subscription_id: str, at: str) -> str | None:
    """Notes that the subscription fails since ``at`` unless it already did; answers since when (None: it is gone
    or disabled)."""
    try:
        updated = table().update(_subscriptions_pk(tenant), f"SUB#{subscription_id}",
                                 "SET failingSince = if_not_exists(failingSince, :at)",
                                 condition="enabled = :true", values={":at": at, ":true": True})
    except ConditionFailed:
        return None
    return str(updated["failingSince"]) if updated else at


def mark_recovered(tenant: str, subscription_id: str) -> None:
    try:
        table().update(_subscriptions_pk(tenant), f"SUB#{subscription_id}", "REMOVE failingSince",
                       condition="attribute_exists(failingSince)")
    except ConditionFailed:
        return  # it was not failing (or is gone): nothing to note


def disable(tenant: str, subscription_id: str, reason: str, at: str) -> bool:
    """Enabled -> disabled with ``reason``; False when it was not enabled (or is gone)."""
    try:
        table().update(_subscriptions_pk(tenant), f"SUB#{subscription_id}",
                       "SET enabled = :false, disabledAt = :at, disabledReason = :reason",
                       condition="enabled = :true", values={":false": False, ":true": True, ":at": at,
                                                            ":reason": reason})
    except ConditionFailed:
        return False
    return True


# --- deliveries --------------------------------------------------------------------------------------------------


def delivery_to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["deliveryId"], **DELIVERY.to_wire(item)}


def create_delivery(tenant: str, subscription_id: str, delivery_id: str, event: dict[str, Any], body: str,
                    created_at: str) -> bool:
    """The delivery of ``event`` (its exact ``body``, sent on every attempt); False when it exists already."""
    item = {"PK": _deliveries_pk(tenant, subscription_id), "SK": f"DLV#{delivery_id}", "entity": DELIVERY.name,
            "GSI1PK": deliveries_index_pk(tenant, subscription_id), "GSI1SK": f"{created_at}#{delivery_id}",
            "tenant": tenant, "deliveryId": delivery_id, "subscriptionId": subscription_id,
            "eventId": event["eventId"], "topic": event["topic"], "status": PENDING, "attempts": 0,
            "createdAt": created_at, "attemptLog": [], "body": body}
    try:
        table().put(item, condition="attribute_not_exists(PK)")
    except ConditionFailed:
        return False
    return True


def deliveries_index_pk(tenant: str, subscription_id: str) -> str:
    """GSI1: a subscription's deliveries by ``{createdAt}#{deliveryId}`` (its delivery log's pages)."""
    return f"T#{escape(tenant)}#WHLOG#{escape(subscription_id)}"


def delivery(tenant: str, subscription_id: str, delivery_id: str) -> dict[str, Any] | None:
    return table().get(_deliveries_pk(tenant, subscription_id), f"DLV#{delivery_id}")


def deliveries(tenant: str, subscription_id: str) -> list[dict[str, Any]]:
    return list(table().query_all(_deliveries_pk(tenant, subscription_id)))


def _attempted(tenant: str, subscription_id: str, delivery_id: str, expression: str, values: dict[str, Any],
               entry: dict[str, Any]) -> bool:
    """Applies an attempt's outcome to an open delivery, appending ``entry`` to its log; False when it was
    settled meanwhile."""
    try:
        table().update(_deliveries_pk(tenant, subscription_id), f"DLV#{delivery_id}",
                       expression.replace("SET ", "SET attemptLog = list_append(attemptLog, :entry), ", 1)
                       + " ADD attempts :one",
                       condition="#status IN (:pending, :failing)", names=_STATUS,
                       values={**values, **_OPEN_VALUES, ":entry": [entry], ":one": 1})
    except ConditionFailed:
        return False
    return True


def record_delivered(tenant: str, subscription_id: str, delivery_id: str, entry: dict[str, Any]) -> bool:
    return _attempted(tenant, subscription_id, delivery_id,
                      "SET #status = :delivered, deliveredAt = :at, lastAttemptAt = :at, responseCode = :code "
                      f"REMOVE nextAttemptAt, failedAt, {failures.REMOVE_CLAUSE}",
                      {":delivered": DELIVERED, ":at": entry["at"], ":code": entry["responseCode"]}, entry)


def record_failed(tenant: str, subscription_id: str, delivery_id: str, entry: dict[str, Any],
                  next_attempt_at: str | None) -> bool:
    """A failed attempt: ``failing`` until ``next_attempt_at``, or ``exhausted`` (None); listed among the
    tenant's failures either way (``failedAt`` = this attempt)."""
    values = {":status": FAILING if next_attempt_at else EXHAUSTED, ":at": entry["at"], ":error": entry["error"],
              **failures.set_values(tenant, failures.DELIVERY, delivery_id, entry["at"])}
    expression = "SET #status = :status, lastAttemptAt = :at, failedAt = :at, lastError = :error, " + \
        failures.SET_CLAUSE
    removed = []
    if entry["responseCode"] is None:  # nothing answered: no code (a null value cannot be written)
        removed.append("responseCode")
    else:
        expression += ", responseCode = :code"
        values[":code"] = entry["responseCode"]
    if next_attempt_at:
        expression += ", nextAttemptAt = :next"
        values[":next"] = next_attempt_at
    else:
        removed.append("nextAttemptAt")
    expression += " REMOVE " + ", ".join(removed) if removed else ""
    return _attempted(tenant, subscription_id, delivery_id, expression, values, entry)


def cancel(tenant: str, subscription_id: str, delivery_id: str, reason: str) -> bool:
    """An open delivery whose subscription is gone or disabled: ``cancelled``, out of the failures index."""
    try:
        table().update(_deliveries_pk(tenant, subscription_id), f"DLV#{delivery_id}",
                       f"SET #status = :cancelled, lastError = :reason REMOVE nextAttemptAt, {failures.REMOVE_CLAUSE}",
                       condition="#status IN (:pending, :failing)", names=_STATUS,
                       values={":cancelled": CANCELLED, ":reason": reason, **_OPEN_VALUES})
    except ConditionFailed:
        return False
    return True
