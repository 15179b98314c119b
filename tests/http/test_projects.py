"""Projects: create, list, get, roadmap; tenancy of project ids."""

from __future__ import annotations

from datetime import timedelta

from tests.http.helpers import (
    BRANCH_FIELDS,
    PROJECT_FIELDS,
    PROJECTS,
    TIMESTAMP,
    assert_error,
    create_project,
    project_of,
    stored,
    url,
)


def test_create_returns_the_spec_shape_with_the_tenant_from_the_token(agent):
    response = agent.post(PROJECTS, json={"projectId": "synapse-backend", "name": "Synapse Backend",
                                          "roadmap": "Build semantic caching layer"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == PROJECT_FIELDS
    assert body["projectId"] == "synapse-backend"
    assert body["tenantId"] == agent.tenant
    assert body["name"] == "Synapse Backend"
    assert body["roadmap"] == "Build semantic caching layer"
    assert body["milestoneCount"] == 0
    assert body["activeBranches"] == ["main"]
    assert TIMESTAMP.match(body["createdAt"]), body
    assert body["updatedAt"] == body["createdAt"]
    assert project_of(agent, "synapse-backend") == body


def test_new_project_has_the_main_branch(agent, project):
    response = agent.get(url(project, "/branches"))

    assert response.status_code == 200, response.text
    branches = response.json()["branches"]
    assert len(branches) == 1
    main = branches[0]
    assert set(main) == BRANCH_FIELDS
    assert main == {"projectId": project, "branchName": "main", "parentBranch": None,
                    "purpose": "Primary development branch", "status": "active", "agentId": "system",
                    "createdAt": main["createdAt"], "abandonReason": None}
    assert TIMESTAMP.match(main["createdAt"])
    assert agent.get(url(project, "/branches/main")).json() == main


def test_a_body_tenant_cannot_override_the_token_tenant(agent):
    body = create_project(agent, "p1", tenantId="someone-else")

    assert body["tenantId"] == agent.tenant


def test_create_allows_an_empty_roadmap(agent):
    assert create_project(agent, "empty-roadmap", roadmap="")["roadmap"] == ""


def test_duplicate_project_id_in_the_same_tenant_is_409_and_keeps_the_original(agent, project):
    response = agent.post(PROJECTS, json={"projectId": project, "name": "Impostor", "roadmap": "x"})

    assert_error(response, 409, code="conflict", field="projectId")
    assert project_of(agent, project)["name"] == "Synapse Backend"


def test_same_project_id_in_another_tenant_is_independent(agent, caller, project):
    other = caller(roles=("agent",))
    theirs = create_project(other, project, name="Theirs", roadmap="Their roadmap")
    stored(agent, project)
    agent.put(url(project, "/roadmap"), json={"roadmap": "Our new roadmap"})

    assert theirs["tenantId"] == other.tenant
    after = project_of(other, project)
    assert after["name"] == "Theirs"
    assert after["roadmap"] == "Their roadmap"
    assert after["milestoneCount"] == 0
    assert project_of(agent, project)["milestoneCount"] == 1


def test_list_returns_only_the_callers_projects(agent, caller):
    create_project(agent, "alpha")
    create_project(agent, "beta")
    other = caller()
    create_project(other, "gamma")

    mine = agent.get(PROJECTS)
    theirs = other.get(PROJECTS)
    nobody = caller().get(PROJECTS)

    assert mine.status_code == 200, mine.text
    assert sorted(p["projectId"] for p in mine.json()["projects"]) == ["alpha", "beta"]
    assert all(set(p) == PROJECT_FIELDS and p["tenantId"] == agent.tenant for p in mine.json()["projects"])
    assert [p["projectId"] for p in theirs.json()["projects"]] == ["gamma"]
    assert nobody.json() == {"projects": []}


def test_list_reflects_current_counts(agent, project):
    stored(agent, project, 1)
    stored(agent, project, 2)

    [listed] = agent.get(PROJECTS).json()["projects"]

    assert listed["milestoneCount"] == 2


def test_get_missing_project_is_404(agent):
    assert_error(agent.get(url("does-not-exist")), 404, code="not_found")


def test_update_roadmap_returns_and_persists_the_updated_project(clock, agent, project):
    before = project_of(agent, project)
    clock.advance(timedelta(seconds=1))  # timestamps have second precision

    response = agent.put(url(project, "/roadmap"), json={"roadmap": "Phase 1: done\nPhase 2: ünïcode ✓"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == PROJECT_FIELDS
    assert body["roadmap"] == "Phase 1: done\nPhase 2: ünïcode ✓"
    assert body["name"] == before["name"]
    assert body["createdAt"] == before["createdAt"]
    assert body["updatedAt"] > before["updatedAt"]
    assert project_of(agent, project) == body


def test_update_roadmap_of_missing_project_is_404_and_creates_nothing(agent):
    assert_error(agent.put(url("ghost", "/roadmap"), json={"roadmap": "x"}), 404, code="not_found")
    assert_error(agent.get(url("ghost")), 404)
    assert agent.get(PROJECTS).json() == {"projects": []}
