"""GET /api/v1/events/outbox (list conventions; filters topic, deliveryState)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from cairn.aws.outbox import TOPICS
from cairn.http.auth import Principal, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.platform.api.conventions import ListEnvelope, ListQuery, envelope, list_query
from cairn.platform.service import lists

router = APIRouter(route_class=JSONRoute)
SORT_FIELDS = ("occurredAt", "topic", "deliveryState", "publishedAt")
EventsQuery = Annotated[ListQuery, Depends(list_query(SORT_FIELDS, default_sort="occurredAt"))]
Topic = Literal["project.created", "project.deleted", "milestone.stored", "branch.created", "branch.merged",
                "branch.abandoned", "source.synced", "source.failed", "task.run.settled", "job.completed",
                "workflow.completed", "workflow.failed"]
assert set(Topic.__args__) == TOPICS  # type: ignore[attr-defined]  # the route documents every topic


@router.get("/api/v1/events/outbox")
def list_outbox_events(
    principal: Annotated[Principal, Depends(require_platform_reader)],
    query: EventsQuery,
    topic: Annotated[Topic | None, Query()] = None,
    deliveryState: Annotated[Literal["pending", "published", "failed"] | None, Query()] = None,  # noqa: N803 - the wire name
) -> ListEnvelope[dict[str, Any]]:
    page, total = lists.events(principal.tenant, query, topic, deliveryState)
    return envelope([dict(item) for item in page], total, query, {"topic": topic, "deliveryState": deliveryState})
