"""Error responses produced outside the routes still carry the error shape and a correlation id."""

from __future__ import annotations

import pytest


def test_unknown_route_is_404_with_a_correlation_id(agent):
    response = agent.get("/api/v1/memory/nothing-here")

    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["correlationId"] == response.headers["x-correlation-id"]


def test_unknown_route_echoes_the_callers_correlation_id(agent):
    response = agent.get("/api/v1/memory/nothing-here", headers={"x-correlation-id": "trace-42"})

    assert response.status_code == 404
    assert response.headers["x-correlation-id"] == "trace-42"
    assert response.json()["correlationId"] == "trace-42"


def test_unhandled_error_is_500_without_internals_and_with_the_correlation_id(agent, project, monkeypatch):
    from cairn.memory.service import projects

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


# --- no route ever redirects ---------------------------------------------------------------------

VICTIM = "/api/v1/memory/projects/victim"
# A trailing "/" or "%2F" on a route: FastAPI's redirect_slashes used to answer 307 towards the route
# without it (Location built from the Host header), and a client following it deleted the project.
TRAILING_SLASH_REQUESTS = [
    (method, path + suffix, body)
    for method, path, body in (
        ("DELETE", VICTIM, None),
        ("GET", VICTIM, None),
        ("GET", f"{VICTIM}/branches/main", None),
        ("PUT", f"{VICTIM}/metadata/notes", {"k": "v"}),
        ("PUT", f"{VICTIM}/roadmap", {"roadmap": "new"}),
        ("GET", f"{VICTIM}/recall", None),
        ("POST", f"{VICTIM}/store", {"branchPurpose": "p", "cumulativeProgress": "c", "thisContribution": "t",
                                     "agentId": "a"}),
        ("GET", f"{VICTIM}/metrics/summary", None),
        ("GET", "/api/v1/memory/contributors/alice", None),
        ("DELETE", "/api/v1/memory/contributors/alice", None),
        ("GET", "/api/v1/memory/projects", None),
        ("GET", "/healthz", None),
    )
    for suffix in ("/", "%2F", "%2f")
]


@pytest.mark.parametrize(("method", "path", "body"), TRAILING_SLASH_REQUESTS)
def test_a_trailing_slash_is_never_redirected(agent, method, path, body):
    agent.post("/api/v1/memory/projects", json={"projectId": "victim", "name": "Victim", "roadmap": "r"})
    agent.post("/api/v1/memory/contributors", json={"contributorId": "alice", "displayName": "Alice"})

    response = agent.request(method, path, json=body, headers={"Host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 404, (response.status_code, response.headers, response.text)
    assert "location" not in response.headers
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["message"].startswith("no route for ") or "not found" in body["error"]["message"]
    assert body["correlationId"] == response.headers["x-correlation-id"]
    assert agent.get(VICTIM).status_code == 200
    assert agent.get(f"{VICTIM}/recall", params={"view": "branch"}).json()["page"]["total"] == 0
    assert agent.get("/api/v1/memory/contributors/alice").status_code == 200


def test_no_route_group_redirects_slashes(aws):
    from cairn_local import handlers, template

    for function in template.functions():
        if function.routes:
            assert handlers.asgi_app(function.logical_id).router.redirect_slashes is False, function.logical_id


# --- tokens: time claims are JSON numbers (RFC 7519 NumericDate) -------------------------------------------


@pytest.mark.parametrize("claims", [{"exp": "9999999999"}, {"nbf": "0"}, {"iat": "1700000000"}, {"exp": True}])
def test_a_token_whose_time_claims_are_not_numbers_is_401(agent, project, caller, claims):
    holder = caller(agent.tenant, roles=("agent", "admin"), **claims)

    for response in (holder.get(f"/api/v1/memory/projects/{project}"),
                     holder.delete(f"/api/v1/memory/projects/{project}")):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthenticated"
        assert next(iter(claims)) in response.json()["error"]["message"]
        assert response.headers["www-authenticate"] == "Bearer"
    assert agent.get(f"/api/v1/memory/projects/{project}").status_code == 200
