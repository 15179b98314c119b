"""GET /api/v1/events/outbox: the caller's tenant's events with their delivery state (docs/platform.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.http.helpers import assert_error, create_branch, create_project, ok, stored

BASE = "/api/v1/events/outbox"


def test_a_viewer_lists_the_tenants_events_pending_until_published(agent: Any, caller: Any, clock: Any) -> None:
    project = create_project(agent)["projectId"]
    clock.advance(timedelta(seconds=1))  # events of one second have no order among them
    create_branch(agent, project, "feature")
    clock.advance(timedelta(seconds=1))
    stored(agent, project)
    viewer = caller(agent.tenant, roles=("viewer",))

    listed = ok(viewer.get(f"{BASE}?sortOrder=asc"))
    assert [event["topic"] for event in listed["data"]] == ["project.created", "branch.created", "milestone.stored"]
    assert {event["deliveryState"] for event in listed["data"]} == {"pending"}
    assert listed["data"][2]["detail"]["projectId"] == project
    assert listed["page"]["total"] == 3

    only = ok(viewer.get(f"{BASE}?topic=branch.created"))
    assert [event["detail"]["branch"] for event in only["data"]] == ["feature"]
    assert only["filters"] == {"topic": "branch.created"}
    assert ok(viewer.get(f"{BASE}?deliveryState=published"))["data"] == []


def test_another_tenant_sees_none_and_bad_filters_are_400(agent: Any, project: str, caller: Any) -> None:
    assert ok(caller().get(BASE))["data"] == []
    assert_error(agent.get(f"{BASE}?topic=project.renamed"), 400, field="topic")
    assert_error(agent.get(f"{BASE}?sortBy=detail"), 400, field="sortBy")
