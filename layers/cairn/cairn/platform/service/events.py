"""The tenant's outbox events (docs/platform.md, "Events and webhooks"): listed by ``service.lists.events``;
a failed publish retried by the publisher's ``retry_event`` (the ops view's outbox-failure retry)."""

from __future__ import annotations

from cairn.platform.service.publisher import retry_event

__all__ = ["retry_event"]
