"""The tenant's outbox events with their delivery state (docs/platform.md, "Events and webhooks")."""

from __future__ import annotations

from typing import Any

from cairn.aws import outbox
from cairn.platform.service.publisher import retry_event

__all__ = ["list_events", "retry_event"]  # retry_event: the ops view's outbox-failure retry


def list_events(tenant: str, topic: str | None, delivery_state: str | None) -> list[dict[str, Any]]:
    return [event for event in outbox.listed(tenant)
            if (topic is None or event["topic"] == topic)
            and (delivery_state is None or event["deliveryState"] == delivery_state)]
