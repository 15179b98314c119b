"""Delivery markers of the workflow-completed callback: one item per (tenant, delivery id), put with a condition,
so a repeated delivery is recognised by exactly one winner and ignored; kept 7 days (TTL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table
from cairn.core.clock import now, timestamp

DELIVERY_TTL = timedelta(days=7)
DELIVERY = declare(Entity("workflow callback delivery", pk="T#{t}#WFXDELIVERY", sk="{deliveryId}"))


def _pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#WFXDELIVERY"


def first_delivery(tenant: str, delivery_id: str, execution_id: str) -> bool:
    """Records the delivery; False when it was recorded already (a replay)."""
    moment = now()
    item: dict[str, Any] = {"PK": _pk(tenant), "SK": escape(delivery_id), "entity": DELIVERY.name,
                            "executionId": execution_id, "receivedAt": timestamp(moment),
                            "expiresAt": int((moment + DELIVERY_TTL).timestamp())}
    try:
        table().put(item, condition="attribute_not_exists(PK)")
    except ConditionFailed:
        return False
    return True


def forget_delivery(tenant: str, delivery_id: str) -> None:
    """A delivery whose processing failed is forgotten, so the executor's next attempt of it is processed."""
    table().delete_keys([(_pk(tenant), escape(delivery_id))])
