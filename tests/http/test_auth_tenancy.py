"""Authentication (bearer JWT), roles, x-workspace-id, and tenant isolation on every route."""

from __future__ import annotations

import base64
import json
import time

import jwt

from cairn_local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER
from tests.conftest import TEST_SECRET
from tests.http.helpers import (
    PROJECTS,
    assert_error,
    create_branch,
    logged,
    merge_body,
    milestone,
    project_of,
    recall,
    recalled,
    stored,
    url,
)


def claims(tenant="tenant-x", **overrides):
    now = int(time.time())
    return {"sub": "user-x", "tenant_id": tenant, "roles": ["agent", "admin"], "iat": now, "exp": now + 600,
            "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, **overrides}


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def signed(secret=TEST_SECRET, **overrides):
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


BAD_TOKENS = {
    "garbage": "not-a-jwt",
    "expired": lambda: signed(exp=int(time.time()) - 120, iat=int(time.time()) - 900),
    "wrong-audience": lambda: signed(aud="someone-else"),
    "wrong-issuer": lambda: signed(iss="https://evil.example"),
    "other-secret": lambda: signed(secret="another-secret-" + "y" * 32),
    "alg-none": lambda: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}.",
    "alg-none-pyjwt": lambda: jwt.encode(claims(), None, algorithm="none"),
    "no-tenant": lambda: jwt.encode({k: v for k, v in claims().items() if k != "tenant_id"}, TEST_SECRET,
                                    algorithm="HS256"),
    "no-expiry": lambda: jwt.encode({k: v for k, v in claims().items() if k != "exp"}, TEST_SECRET,
                                    algorithm="HS256"),
    "empty-tenant": lambda: signed(tenant=""),
    "roles-not-a-list": lambda: signed(roles="admin"),
    "tampered-payload": lambda: ".".join([signed().split(".")[0], b64(claims(tenant="victim")),
                                          signed().split(".")[2]]),
}


def test_bad_tokens_are_401_with_the_error_shape(http, aws, subtests):
    for name, token in sorted(BAD_TOKENS.items()):
        with subtests.test(token=name):
            token = token() if callable(token) else token
            for method, path, body in (("GET", PROJECTS, None),
                                       ("POST", PROJECTS, {"projectId": "p", "name": "n", "roadmap": ""})):
                response = http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
                assert_error(response, 401, code="unauthenticated")
                assert response.headers["www-authenticate"] == "Bearer"


def test_missing_bearer_token_is_401(http, aws, subtests):
    for header in (None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"):
        with subtests.test(authorization=header):
            headers = {} if header is None else {"Authorization": header}
            assert_error(http.get(PROJECTS, headers=headers), 401, code="unauthenticated")


def test_access_is_checked_before_a_malformed_body_is_described(http, agent, caller, project):
    malformed = {"content": "{not json", "headers": {"content-type": "application/json"}}
    store, contributor = url(project, "/store"), "/api/v1/memory/contributors/alice"

    assert_error(http.post(store, **malformed), 401, code="unauthenticated")
    viewer = caller(agent.tenant, roles=("viewer",))
    assert_error(viewer.post(store, **malformed), 403, code="forbidden")
    mismatched = {**malformed, "headers": {**malformed["headers"], "x-workspace-id": "someone-else"}}
    assert_error(agent.post(store, **mismatched), 403, code="forbidden", field="x-workspace-id")
    assert_error(agent.post(store, **malformed), 400, code="invalid_input", field="body")
    assert_error(agent.get(contributor + "/activity?limit=0"), 400, field="limit")
    assert_error(viewer.get(contributor + "/activity?limit=0"), 400, field="limit")  # viewers may read


def test_a_valid_token_with_a_bad_signature_cannot_create_anything(http, agent):
    forged = signed(secret="another-secret-" + "y" * 32, tenant=agent.tenant)

    response = http.post(PROJECTS, json={"projectId": "p", "name": "n", "roadmap": ""},
                         headers={"Authorization": f"Bearer {forged}"})

    assert_error(response, 401)
    assert agent.get(PROJECTS).json() == {"projects": []}


def test_tokens_within_clock_skew_leeway_are_accepted(caller):
    nearly_expired = caller(exp=int(time.time()) - 5)

    assert nearly_expired.get(PROJECTS).status_code == 200


def test_workspace_header_must_match_the_token_tenant(agent, project):
    mismatch = agent.get(url(project), headers={"x-workspace-id": "another-tenant"})
    write = agent.post(url(project, "/store"), json=milestone(), headers={"x-workspace-id": "another-tenant"})
    match = agent.get(url(project), headers={"x-workspace-id": agent.tenant})

    assert_error(mismatch, 403, code="forbidden", field="x-workspace-id")
    assert_error(write, 403, code="forbidden")
    assert match.status_code == 200
    assert project_of(agent, project)["milestoneCount"] == 0


def test_viewer_can_read_but_not_write(agent, caller, project):
    seeded = stored(agent, project, "seed")
    logged(agent, project, "seed")
    create_branch(agent, project, "side")
    agent.put(url(project, "/metadata/seg"), json={"a": 1})
    viewer = caller(agent.tenant, roles=("viewer",))

    reads = [viewer.get(PROJECTS), viewer.get(url(project)), viewer.get(url(project, "/branches")),
             viewer.get(url(project, "/branches/side")), recall(viewer, project),
             recall(viewer, project, view="branch"), recall(viewer, project, view="log"),
             recall(viewer, project, view="milestone", milestoneId=seeded["milestoneId"]),
             recall(viewer, project, view="metadata", segment="seg")]
    writes = [
        viewer.post(PROJECTS, json={"projectId": "new", "name": "n", "roadmap": ""}),
        viewer.post(url(project, "/store"), json=milestone("viewer")),
        viewer.post(url(project, "/log"), json={"agentId": "a", "phase": "thought", "content": "c"}),
        viewer.post(url(project, "/branches"), json={"branchName": "v", "purpose": "p", "agentId": "a"}),
        viewer.post(url(project, "/branches/side/abandon"), json={"reason": "r"}),
        viewer.post(url(project, "/merge"), json=merge_body("side")),
        viewer.put(url(project, "/roadmap"), json={"roadmap": "viewer roadmap"}),
        viewer.put(url(project, "/metadata/seg"), json={"a": 2}),
        viewer.delete(url(project)),
    ]

    assert [r.status_code for r in reads] == [200] * len(reads)
    for response in writes:
        assert_error(response, 403, code="forbidden")
    after = project_of(agent, project)
    assert (after["milestoneCount"], after["roadmap"], after["activeBranches"]) == (1, "Build it", ["main", "side"])
    assert recalled(agent, project, view="log")["page"]["total"] == 1
    assert recalled(agent, project, view="metadata", segment="seg")["metadata"]["content"] == {"a": 1}
    assert [p["projectId"] for p in agent.get(PROJECTS).json()["projects"]] == [project]


def test_a_token_without_roles_can_do_nothing(caller, agent, project):
    nobody = caller(agent.tenant, roles=())

    assert_error(nobody.get(url(project)), 403, code="forbidden")
    assert_error(nobody.post(url(project, "/store"), json=milestone()), 403, code="forbidden")


def test_deleting_a_project_needs_admin(caller, agent, project, subtests):
    for roles in (("agent",), ("member",), ("viewer",), ("agent", "member")):
        with subtests.test(roles=roles):
            assert_error(caller(agent.tenant, roles=roles).delete(url(project)), 403, code="forbidden")
            assert project_of(agent, project)["projectId"] == project


def test_agents_and_members_can_write(caller, agent, project):
    for count, roles in enumerate((("agent",), ("member",)), start=1):
        writer = caller(agent.tenant, roles=roles)
        assert writer.post(url(project, "/store"), json=milestone(roles[0])).status_code == 200
        assert project_of(agent, project)["milestoneCount"] == count


# --- another tenant's project is invisible everywhere ---------------------------------------------


def snapshot(caller, project):
    """Everything a user could see of a project."""
    return {
        "project": project_of(caller, project),
        "branches": caller.get(url(project, "/branches")).json(),
        "main": recalled(caller, project, view="branch", limit=100),
        "side": recalled(caller, project, view="branch", branch="side", limit=100),
        "log": recalled(caller, project, view="log", limit=100),
        "meta": recalled(caller, project, view="metadata", segment="seg"),
    }


def cross_tenant_requests(project, milestone_id):
    return {
        "get": ("GET", url(project), None),
        "delete": ("DELETE", url(project), None),
        "roadmap": ("PUT", url(project, "/roadmap"), {"roadmap": "hijacked"}),
        "store": ("POST", url(project, "/store"), milestone("intruder")),
        "store-duplicate": ("POST", url(project, "/store"), milestone("victim")),
        "recall-overview": ("GET", url(project, "/recall"), None),
        "recall-branch": ("GET", url(project, "/recall?view=branch"), None),
        "recall-milestone": ("GET", url(project, f"/recall?view=milestone&milestoneId={milestone_id}"), None),
        "recall-log": ("GET", url(project, "/recall?view=log"), None),
        "recall-metadata": ("GET", url(project, "/recall?view=metadata&segment=seg"), None),
        "log": ("POST", url(project, "/log"), {"agentId": "x", "phase": "action", "content": "intrusion"}),
        "branches-list": ("GET", url(project, "/branches"), None),
        "branch-get": ("GET", url(project, "/branches/side"), None),
        "branch-create": ("POST", url(project, "/branches"), {"branchName": "evil", "purpose": "p",
                                                              "agentId": "x"}),
        "branch-abandon": ("POST", url(project, "/branches/side/abandon"), {"reason": "sabotage"}),
        "merge": ("POST", url(project, "/merge"), merge_body("side")),
        "metadata-put": ("PUT", url(project, "/metadata/seg"), {"hijacked": True}),
    }


def test_another_tenants_project_is_404_on_every_route_and_left_untouched(agent, caller, project):
    create_branch(agent, project, "side")
    victim = stored(agent, project, "victim")
    stored(agent, project, "side", branchName="side")
    logged(agent, project, "victim")
    agent.put(url(project, "/metadata/seg"), json={"secret": "value"})
    before = snapshot(agent, project)
    intruder = caller(roles=("agent", "admin"))

    for name, (method, path, body) in cross_tenant_requests(project, victim["milestoneId"]).items():
        response = intruder.request(method, path, json=body)
        error = assert_error(response, 404, code="not_found")
        assert "victim" not in json.dumps(error), name

    assert snapshot(agent, project) == before
    assert intruder.get(PROJECTS).json() == {"projects": []}

