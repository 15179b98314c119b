"""Error responses produced outside the routes still carry the error shape and a correlation id."""

from __future__ import annotations

import pytest


def test_unknown_route_is_404_with_a_correlation_id(agent):
    response = agent.get("/api/v1/memory/nothing-here")

    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["correlationId"] == response.headers["x-correlation-id"]


def test_unhandled_error_is_500_without_internals_and_with_the_correlation_id(agent, project, monkeypatch):
    from cairn.store import projects

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(projects, "get", broken)
    response = agent.get(f"/api/v1/memory/projects/{project}", headers={"x-correlation-id": "trace-500"})

    assert response.status_code == 500
    assert response.headers["x-correlation-id"] == "trace-500"
    body = response.json()
    assert body["correlationId"] == "trace-500"
    assert body["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text


@pytest.mark.parametrize("header", ["bad id with spaces", "x" * 129])
def test_unusable_correlation_ids_are_replaced(agent, header):
    response = agent.get("/api/v1/memory/projects", headers={"x-correlation-id": header})

    assert response.status_code == 200
    assert response.headers["x-correlation-id"] != header
    assert len(response.headers["x-correlation-id"]) == 36
