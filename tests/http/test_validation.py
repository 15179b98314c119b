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
