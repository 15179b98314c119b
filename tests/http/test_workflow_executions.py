"""GET /api/v1/workflow-executions and GET .../{id}: the executions Cairn started for the caller's tenant."""

from __future__ import annotations

from typing import Any

from tests.http.helpers import create_project, ok, url

BASE = "/api/v1/workflow-executions"


def test_a_deleted_projects_purge_is_listed_and_read_by_a_viewer(agent: Any, caller: Any) -> None:
    doomed = create_project(caller(agent.tenant, roles=("admin",)))["projectId"]
    assert agent.delete(url(doomed)).status_code == 200
    viewer = caller(agent.tenant, roles=("viewer",))

    listed = ok(viewer.get(BASE))
    [execution] = listed["data"]
    assert execution["kind"] == "project_purge"
    assert execution["resource"] == {"projectId": doomed}
    assert execution["retryCount"] == 0
    assert listed["page"] == {"limit": 25, "offset": 0, "returned": 1, "total": 1}
    assert listed["sort"] == {"by": "startedAt", "order": "desc"}
    assert ok(viewer.get(f"{BASE}/{execution['id']}")) == execution


def test_filters_narrow_and_are_echoed(agent: Any, project: str) -> None:
    agent.delete(url(project))
    assert ok(agent.get(f"{BASE}?kind=project_purge&resource={project}"))["page"]["total"] == 1
    for query in ("kind=task_run", "resource=another-project", "q=no-such-text"):
        assert ok(agent.get(f"{BASE}?{query}"))["data"] == []
    assert ok(agent.get(f"{BASE}?kind=source_sync"))["filters"] == {"kind": "source_sync"}


def test_another_tenant_sees_nothing_and_gets_404(agent: Any, project: str, caller: Any) -> None:
    agent.delete(url(project))
    [execution] = ok(agent.get(BASE))["data"]
    stranger = caller()
    assert ok(stranger.get(BASE))["data"] == []
    assert stranger.get(f"{BASE}/{execution['id']}").status_code == 404


def test_bad_filters_are_400_naming_them(agent: Any) -> None:
    for query, field in (("kind=mystery", "kind"), ("status=done", "status"), ("sortBy=tenant", "sortBy")):
        response = agent.get(f"{BASE}?{query}")
        assert response.status_code == 400, query
        assert field in response.text
