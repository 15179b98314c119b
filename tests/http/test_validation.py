"""Validation at the spec's exact limits, the error shape, and x-correlation-id."""

from __future__ import annotations

import uuid

from tests.http.helpers import (
    PROJECTS,
    assert_error,
    create_branch,
    log_entry,
    merge_body,
    milestone,
    project_of,
    recalled,
    url,
)


def project_body(**overrides):
    return {"projectId": "p", "name": "n", "roadmap": "r", **overrides}


# --- boundaries ----------------------------------------------------------------------------------


def test_create_project_limits(agent, subtests):
    for field, limit in (("projectId", 128), ("name", 256), ("roadmap", 10_000)):
        with subtests.test(field=field):
            at_limit = agent.post(PROJECTS, json={**project_body(projectId=f"ok-{field}"), field: "x" * limit})
            over = agent.post(PROJECTS, json={**project_body(projectId=f"over-{field}"), field: "y" * (limit + 1)})
            assert at_limit.status_code == 200, at_limit.text
            assert at_limit.json()[field] == "x" * limit
            assert_error(over, 400, code="invalid_input", field=field)
    assert len(agent.get(PROJECTS).json()["projects"]) == 3


def test_create_project_requires_each_field(agent, subtests):
    for field in ("projectId", "name", "roadmap"):
        with subtests.test(missing=field):
            body = project_body()
            del body[field]
            assert_error(agent.post(PROJECTS, json=body), 400, code="invalid_input", field=field)
    assert agent.get(PROJECTS).json() == {"projects": []}


def test_project_ids_must_be_path_safe(agent, subtests):
    for project_id in ("", "has space", "slash/id", "hash#id", "q?x", "pct%20", "back\\slash", "tab\tid"):
        with subtests.test(projectId=project_id):
            assert_error(agent.post(PROJECTS, json=project_body(projectId=project_id)), 400, field="projectId")
    assert agent.get(PROJECTS).json() == {"projects": []}


def test_create_project_name_must_not_be_empty(agent):
    assert_error(agent.post(PROJECTS, json=project_body(name="")), 400, field="name")


def test_update_roadmap_limits(agent, project):
    assert agent.put(url(project, "/roadmap"), json={"roadmap": "z" * 10_000}).json()["roadmap"] == "z" * 10_000
    assert_error(agent.put(url(project, "/roadmap"), json={"roadmap": "w" * 10_001}), 400, field="roadmap")
    assert_error(agent.put(url(project, "/roadmap"), json={"roadmap": ""}), 400, field="roadmap")
    assert_error(agent.put(url(project, "/roadmap"), json={}), 400, field="roadmap")
    assert project_of(agent, project)["roadmap"] == "z" * 10_000


def test_store_text_limits(agent, project, subtests):
    limits = (("branchPurpose", 2_000), ("cumulativeProgress", 50_000), ("thisContribution", 10_000))
    for field, limit in limits:
        with subtests.test(field=field):
            at_limit = agent.post(url(project, "/store"), json=milestone(field, **{field: "€" * limit}))
            over = agent.post(url(project, "/store"), json=milestone("over", **{field: "€" * (limit + 1)}))
            assert at_limit.status_code == 200, at_limit.text[:300]
            assert at_limit.json()[field] == "€" * limit
            assert_error(over, 400, code="invalid_input", field=field)
    assert project_of(agent, project)["milestoneCount"] == 3


def test_branch_name_limit(agent, project):
    name = "b" * 256
    created = agent.post(url(project, "/branches"), json={"branchName": name, "purpose": "p", "agentId": "a"})
    too_long = agent.post(url(project, "/branches"), json={"branchName": "c" * 257, "purpose": "p",
                                                           "agentId": "a"})
    store_long = agent.post(url(project, "/store"), json=milestone(branchName="c" * 257))
    store_at_limit = agent.post(url(project, "/store"), json=milestone(branchName=name))

    assert created.status_code == 200, created.text
    assert_error(too_long, 400, code="invalid_input", field="branchName")
    assert_error(store_long, 400, field="branchName")
    assert store_at_limit.json()["branchName"] == name
    assert agent.get(url(project, f"/branches/{name}")).status_code == 200


def test_branch_purpose_limit_on_create(agent, project):
    ok = agent.post(url(project, "/branches"), json={"branchName": "ok", "purpose": "p" * 2_000, "agentId": "a"})
    over = agent.post(url(project, "/branches"), json={"branchName": "over", "purpose": "p" * 2_001,
                                                       "agentId": "a"})
    empty = agent.post(url(project, "/branches"), json={"branchName": "empty", "purpose": "", "agentId": "a"})

    assert ok.status_code == 200
    assert_error(over, 400, field="purpose")
    assert_error(empty, 400, field="purpose")
    assert project_of(agent, project)["activeBranches"] == ["main", "ok"]


def test_create_branch_requires_each_field(agent, project, subtests):
    for field in ("branchName", "purpose", "agentId"):
        with subtests.test(missing=field):
            body = {"branchName": "b", "purpose": "p", "agentId": "a"}
            del body[field]
            assert_error(agent.post(url(project, "/branches"), json=body), 400, code="invalid_input", field=field)


def test_branch_names_must_be_path_safe(agent, project, subtests):
    for name in ("has space", "q?x", "h#x", "p%x", "back\\slash", ""):
        with subtests.test(branchName=name):
            response = agent.post(url(project, "/branches"), json={"branchName": name, "purpose": "p",
                                                                   "agentId": "a"})
            assert_error(response, 400, field="branchName")
    assert project_of(agent, project)["activeBranches"] == ["main"]


def test_merge_summary_limit(agent, project):
    create_branch(agent, project, "ok")
    create_branch(agent, project, "over")

    ok = agent.post(url(project, "/merge"), json=merge_body("ok", mergeSummary="s" * 50_000))
    over = agent.post(url(project, "/merge"), json=merge_body("over", mergeSummary="s" * 50_001))
    empty = agent.post(url(project, "/merge"), json=merge_body("over", mergeSummary=""))

    assert ok.status_code == 200, ok.text[:300]
    assert_error(over, 400, code="invalid_input", field="mergeSummary")
    assert_error(empty, 400, field="mergeSummary")
    assert project_of(agent, project)["activeBranches"] == ["main", "over"]


def test_log_content_limit(agent, project):
    ok = agent.post(url(project, "/log"), json=log_entry(content="l" * 50_000))
    over = agent.post(url(project, "/log"), json=log_entry(content="l" * 50_001))

    assert ok.status_code == 200
    assert_error(over, 400, code="invalid_input", field="content")
    assert recalled(agent, project, view="log")["page"]["total"] == 1


def test_log_requires_each_field(agent, project, subtests):
    for field in ("agentId", "phase", "content"):
        with subtests.test(missing=field):
            body = log_entry()
            del body[field]
            assert_error(agent.post(url(project, "/log"), json=body), 400, code="invalid_input", field=field)


def test_wrong_json_types_are_400_naming_the_field(agent, project):
    assert_error(agent.post(url(project, "/store"), json=milestone(agentId=42)), 400, field="agentId")
    assert_error(agent.post(url(project, "/store"), json=milestone(thisContribution=["x"])), 400,
                 field="thisContribution")
    assert_error(agent.post(PROJECTS, json=project_body(name=None)), 400, field="name")


def test_malformed_bodies_are_400(agent, project, subtests):
    for payload in ("", "{not json", "[]", '"text"'):
        with subtests.test(payload=payload):
            response = agent.post(url(project, "/store"), content=payload,
                                  headers={"content-type": "application/json"})
            assert_error(response, 400, code="invalid_input", field="body")
    assert project_of(agent, project)["milestoneCount"] == 0


# --- error shape and correlation ids -------------------------------------------------------------


def test_correlation_id_is_echoed_on_success_and_errors(agent, project):
    ok = agent.get(url(project), headers={"x-correlation-id": "trace-123.abc"})
    error = agent.get(url("ghost"), headers={"x-correlation-id": "trace-456"})
    invalid = agent.post(PROJECTS, json={}, headers={"x-correlation-id": "trace-789"})

    assert ok.headers["x-correlation-id"] == "trace-123.abc"
    assert error.headers["x-correlation-id"] == "trace-456"
    assert error.json()["correlationId"] == "trace-456"
    assert invalid.json()["correlationId"] == "trace-789"


def test_correlation_id_is_generated_when_absent_or_unusable(agent, project):
    responses = [agent.get(url(project)), agent.get(url("ghost")),
                 agent.get(url(project), headers={"x-correlation-id": "bad id with spaces"})]

    generated = [r.headers["x-correlation-id"] for r in responses]
    assert all(str(uuid.UUID(value)) == value for value in generated), generated
    assert len(set(generated)) == 3
    assert responses[1].json()["correlationId"] == generated[1]


def test_401_403_404_409_carry_the_error_shape(http, agent, caller, project):
    assert_error(http.get(url(project)), 401, code="unauthenticated")
    assert_error(caller(agent.tenant, roles=("viewer",)).post(url(project, "/store"), json=milestone()), 403,
                 code="forbidden")
    assert_error(agent.get(url("ghost")), 404, code="not_found", field="id")
    assert_error(agent.post(PROJECTS, json=project_body(projectId=project)), 409, code="conflict")


def test_validation_errors_list_every_problem(agent, project):
    error = assert_error(agent.post(url(project, "/store"), json={}), 400, code="invalid_input")

    assert {detail["field"] for detail in error["details"]} == {
        "branchPurpose", "cumulativeProgress", "thisContribution", "agentId"}
    assert error["field"] in {"branchPurpose", "cumulativeProgress", "thisContribution", "agentId"}


# --- request bodies are decoded strictly, the same way on every route (cairn.http.body) ------------------------


def _raw(caller, method, path, body: bytes):
    return caller.request(method, path, content=body, headers={"content-type": "application/json"})


_METRICS = (rb'{"sessionId": "s", "agentId": "a", "milestonesRecalled": 1, "toolCallsTotal": 2, '
            rb'"sessionDurationSecs": 3, "startedAt": "2026-01-01T00:00:00Z", "endedAt": "2026-01-01T00:01:00Z", ')
# (method, path under the project or absolute, raw body with a lone surrogate escape, the field named)
LONE_SURROGATES = [
    ("PUT", "/metadata/notes", rb'{"k": "\ud800"}', "k"),
    ("PUT", "/metadata/notes", rb'{"a": {"b": ["fine", "x\udc00y"]}}', "a.b.1"),
    ("PUT", "/metadata/notes", rb'{"ok": 1, "\ud800": 1}', "\\ud800"),
    ("POST", "/store", rb'{"branchPurpose": "p", "cumulativeProgress": "\ud800", "thisContribution": "t", '
                       rb'"agentId": "a"}', "cumulativeProgress"),
    ("POST", "/log", rb'{"agentId": "a", "phase": "thought", "content": "tail \udfff"}', "content"),
    ("POST", "/promote", rb'{"cacheKey": "k", "reuseScore": 0.9, "summary": "\ud800", "l2Collection": "c"}',
     "summary"),
    ("POST", "/metrics", _METRICS + rb'"agentType": "\udbff"}', "agentType"),
    ("POST", "/branches", rb'{"branchName": "b", "purpose": "\ud800", "agentId": "a"}', "purpose"),
    ("PUT", "/roadmap", rb'{"roadmap": "\ud800"}', "roadmap"),
    ("POST", "/search", rb'{"query": "\ud800"}', "query"),
    ("POST", "/api/v1/memory/search", rb'{"query": "\ud800"}', "query"),
    ("POST", "/api/v1/memory/intelligence/query", rb'{"question": "why \ud800?"}', "question"),
    ("POST", "/api/v1/memory/intelligence/action", rb'{"action": "post_slack", "params": {"channel": "c", '
                                                    rb'"text": "\ud800"}}', "params.text"),
    ("POST", "/api/v1/memory/contributors", rb'{"contributorId": "alice", "displayName": "\ud800"}',
     "displayName"),
    ("POST", PROJECTS, rb'{"projectId": "p2", "name": "\ud800", "roadmap": "r"}', "name"),
]


def test_lone_surrogates_are_400_naming_the_field_on_every_route(agent, project, subtests):
    for method, path, body, field in LONE_SURROGATES:
        with subtests.test(path=path, field=field):
            response = _raw(agent, method, path if path.startswith("/api/") else url(project, path), body)
            error = assert_error(response, 400, code="invalid_input", field=field)
            assert "surrogate" in error["message"]
    assert recalled(agent, project, view="branch")["page"]["total"] == 0
    assert agent.get(url(project, "/recall"), params={"view": "metadata", "segment": "notes"}).status_code == 404
    assert project_of(agent, project)["roadmap"] == "Build it"
    assert agent.get("/api/v1/memory/contributors").json() == {"contributors": []}


def test_surrogate_pairs_are_ordinary_text(agent, project):
    stored = agent.put(url(project, "/metadata/notes"), content=rb'{"k": "\ud83e\udea8 cairn"}',
                       headers={"content-type": "application/json"})

    assert stored.status_code == 200, stored.text
    assert recalled(agent, project, view="metadata", segment="notes")["metadata"]["content"] == {"k": "🪨 cairn"}


def _nested(depth: int, opening: bytes = b'{"a":', closing: bytes = b"}") -> bytes:
    return opening * depth + b"1" + closing * depth


MALFORMED_BODIES = {
    "invalid UTF-8": b'{"k": "caf\xe9"}',
    "UTF-16": '{"k": "v"}'.encode("utf-16"),
    "truncated": b'{"k": ["v", ',
    "10,000 nested arrays": _nested(10_000, b"[", b"]"),
    "10,000 nested objects": _nested(10_000),
    "65 nested objects": _nested(65),
    "an integer of 5,000 digits": b'{"k": ' + b"7" * 5_000 + b"}",
}


def test_malformed_bodies_are_400_invalid_input_on_every_route(agent, project, subtests):
    routes = [("PUT", url(project, "/metadata/notes")), ("POST", url(project, "/store")), ("POST", PROJECTS),
              ("POST", "/api/v1/memory/intelligence/query"), ("POST", "/api/v1/memory/contributors")]
    for name, body in MALFORMED_BODIES.items():
        for method, path in routes:
            with subtests.test(body=name, path=path):
                assert_error(_raw(agent, method, path, body), 400, code="invalid_input", field="body")
    assert agent.get(url(project, "/recall"), params={"view": "metadata", "segment": "notes"}).status_code == 404
    assert project_of(agent, project)["milestoneCount"] == 0


def test_non_finite_numbers_are_400_naming_the_field(agent, project, subtests):
    for body, field in ((b'{"k": NaN}', "k"), (b'{"a": [1, -Infinity]}', "a.1"), (b'{"k": {"x": 1e999}}', "k.x")):
        with subtests.test(body=body):
            response = _raw(agent, "PUT", url(project, "/metadata/notes"), body)
            assert_error(response, 400, code="invalid_input", field=field)
    assert agent.get(url(project, "/recall"), params={"view": "metadata", "segment": "notes"}).status_code == 404


def test_documents_nest_up_to_64_levels(agent, project):
    objects_and_arrays = _nested(33, b'{"a":[', b"]}")  # 66 levels
    assert_error(_raw(agent, "PUT", url(project, "/metadata/deep"), objects_and_arrays), 400, field="body")

    at_limit = _raw(agent, "PUT", url(project, "/metadata/deep"), _nested(64))
    over = _raw(agent, "PUT", url(project, "/metadata/deeper"), _nested(65))

    assert at_limit.status_code == 200, at_limit.text[:300]
    assert_error(over, 400, code="invalid_input", field="body")
    content = recalled(agent, project, view="metadata", segment="deep")["metadata"]["content"]
    depth = 0
    while isinstance(content, dict):
        content, depth = content["a"], depth + 1
    assert (depth, content) == (64, 1)


def test_access_is_checked_before_a_malformed_body_is_described(http, agent, caller, project):
    viewer = caller(agent.tenant, roles=("viewer",))
    for body in (rb'{"k": "\ud800"}', _nested(10_000), b"\xff"):
        assert_error(_raw(viewer, "PUT", url(project, "/metadata/notes"), body), 403, code="forbidden")
        assert_error(http.put(url(project, "/metadata/notes"), content=body), 401, code="unauthenticated")


# --- one rule for identifiers that travel in URL paths (cairn.core.identifiers) --------------------------------

CONTROL_CHARACTERS = ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\x9f"]
DOT_NAMES = [".", ".."]


def test_project_and_contributor_ids_are_never_dot_segments_or_hold_control_characters(agent, subtests):
    bad = [*DOT_NAMES, *(f"a{c}b" for c in CONTROL_CHARACTERS), "\x7f"]
    for value in bad:
        with subtests.test(id=value):
            assert_error(agent.post(PROJECTS, json=project_body(projectId=value)), 400, code="invalid_input",
                         field="projectId")
            assert_error(agent.post("/api/v1/memory/contributors", json={"contributorId": value, "displayName": "d"}),
                         400, code="invalid_input", field="contributorId")
            assert_error(agent.post("/api/v1/memory/search", json={"query": "q", "projectIds": ["ok", value]}),
                         400, field="projectIds.1")
    for value in ("a.b", "...", ".hidden", "v1..2", "é-ü"):
        with subtests.test(accepted=value):
            assert agent.post(PROJECTS, json=project_body(projectId=value)).status_code == 200
    assert len(agent.get(PROJECTS).json()["projects"]) == 5
    assert agent.get("/api/v1/memory/contributors").json() == {"contributors": []}


def test_branch_names_have_no_dot_empty_or_control_parts(agent, project, subtests):
    bad = [*DOT_NAMES, "feature/..", "./x", "a/./b", "/lead", "trail/", "a//b", "/",
           *(f"b{c}x" for c in CONTROL_CHARACTERS)]
    for name in bad:
        with subtests.test(branchName=name):
            body = {"branchName": name, "purpose": "p", "agentId": "a"}
            assert_error(agent.post(url(project, "/branches"), json=body), 400, code="invalid_input",
                         field="branchName")
            assert_error(agent.post(url(project, "/branches"), json={**body, "branchName": "ok-name",
                                                                      "parentBranch": name}), 400,
                         field="parentBranch")
            assert_error(agent.post(url(project, "/store"), json=milestone(branchName=name)), 400, field="branchName")
            assert_error(agent.post(url(project, "/log"), json=log_entry(branchName=name)), 400, field="branchName")
            assert_error(agent.post(url(project, "/merge"), json=merge_body(name)), 400, field="sourceBranch")
            assert_error(agent.post(url(project, "/merge"), json=merge_body("main", targetBranch=name)), 400,
                         field="targetBranch")
            assert_error(agent.get(url(project, "/recall"), params={"view": "branch", "branch": name}), 400,
                         field="branch")
    for name in ("feature/auth", "v1.2", "a/b.c/d", "...x"):
        with subtests.test(accepted=name):
            create_branch(agent, project, name)
    assert project_of(agent, project)["activeBranches"] == ["main", "...x", "a/b.c/d", "feature/auth", "v1.2"]


def test_metadata_segments_are_never_dot_segments(agent, project, subtests):
    # Sent percent-encoded: an HTTP client would resolve a literal "/metadata/.." to the project itself.
    for raw in ("%2E", "%2E%2E", ".%2E", "%2e."):
        with subtests.test(segment=raw):
            response = agent.put(url(project, f"/metadata/{raw}"), json={"k": "v"})
            assert_error(response, 400, code="invalid_input", field="segment")
    for segment in DOT_NAMES:
        with subtests.test(recall=segment):
            assert_error(agent.get(url(project, "/recall"), params={"view": "metadata", "segment": segment}), 400,
                         field="segment")
    for segment in ("...", ".a", "a..b"):
        with subtests.test(accepted=segment):
            assert agent.put(url(project, f"/metadata/{segment}"), json={"k": segment}).status_code == 200
            assert recalled(agent, project, view="metadata", segment=segment)["metadata"]["content"] == {"k": segment}
