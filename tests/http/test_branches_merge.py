"""Branches (create, list, get, abandon, names with '/') and merge."""

from __future__ import annotations

import pytest

from tests.http.helpers import (
    BRANCH_FIELDS,
    TIMESTAMP,
    assert_error,
    create_branch,
    merge_body,
    ok,
    project_of,
    recalled,
    stored,
    url,
)


def branch_of(caller, project, encoded_name):
    return ok(caller.get(url(project, f"/branches/{encoded_name}")))


def abandon(caller, project, encoded_name, reason="superseded"):
    return caller.post(url(project, f"/branches/{encoded_name}/abandon"), json={"reason": reason})


def merge(caller, project, source, **overrides):
    return caller.post(url(project, "/merge"), json=merge_body(source, **overrides))


# --- create, list, get -------------------------------------------------------------------------


def test_create_branch_returns_the_branch_and_defaults_parent_to_main(agent, project):
    response = agent.post(url(project, "/branches"), json={
        "branchName": "feature-auth", "purpose": "Implement JWT auth", "agentId": "claude-code-1"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == BRANCH_FIELDS
    assert body == {"projectId": project, "branchName": "feature-auth", "parentBranch": "main",
                    "purpose": "Implement JWT auth", "status": "active", "agentId": "claude-code-1",
                    "createdAt": body["createdAt"], "abandonReason": None}
    assert TIMESTAMP.match(body["createdAt"])
    assert branch_of(agent, project, "feature-auth") == body
    assert project_of(agent, project)["activeBranches"] == ["main", "feature-auth"]


def test_branches_fork_from_any_existing_parent_and_are_all_listed(agent, project):
    create_branch(agent, project, "b-parent")
    child = create_branch(agent, project, "a-child", parentBranch="b-parent")

    listed = agent.get(url(project, "/branches")).json()["branches"]

    assert child["parentBranch"] == "b-parent"
    assert sorted(b["branchName"] for b in listed) == ["a-child", "b-parent", "main"]
    assert all(set(b) == BRANCH_FIELDS for b in listed)
    assert project_of(agent, project)["activeBranches"] == ["main", "a-child", "b-parent"]


def test_create_branch_with_missing_parent_is_404_and_creates_nothing(agent, project):
    response = agent.post(url(project, "/branches"), json={
        "branchName": "orphan", "parentBranch": "nowhere", "purpose": "x", "agentId": "a"})

    assert_error(response, 404, code="not_found", field="parentBranch")
    assert_error(agent.get(url(project, "/branches/orphan")), 404)
    assert project_of(agent, project)["activeBranches"] == ["main"]


@pytest.mark.parametrize("name", ["main", "feature"])
def test_duplicate_branch_is_409_and_keeps_the_original(agent, project, name):
    create_branch(agent, project, "feature", purpose="original")

    response = agent.post(url(project, "/branches"), json={"branchName": name, "purpose": "dup", "agentId": "b"})

    assert_error(response, 409, code="conflict", field="branchName")
    assert branch_of(agent, project, name)["purpose"] in ("original", "Primary development branch")
    assert len(agent.get(url(project, "/branches")).json()["branches"]) == 2


def test_a_branch_cannot_fork_from_itself(agent, project):
    body = {"branchName": "loop", "parentBranch": "loop", "purpose": "x", "agentId": "a"}

    assert_error(agent.post(url(project, "/branches"), json=body), 404, code="not_found", field="parentBranch")
    create_branch(agent, project, "loop")
    assert_error(agent.post(url(project, "/branches"), json=body), 409, code="conflict", field="branchName")
    assert_error(agent.post(url("ghost", "/branches"), json=body), 404, code="not_found", field="id")
    assert branch_of(agent, project, "loop")["parentBranch"] == "main"


def test_create_branch_in_missing_project_is_404(agent):
    response = agent.post(url("ghost", "/branches"), json={"branchName": "x", "purpose": "x", "agentId": "a"})

    assert_error(response, 404, code="not_found")


def test_get_missing_branch_is_404(agent, project):
    assert_error(agent.get(url(project, "/branches/nope")), 404, code="not_found", field="branchName")
    assert_error(agent.get(url("ghost", "/branches/main")), 404, code="not_found")
    assert_error(agent.get(url("ghost", "/branches")), 404, code="not_found")


# --- abandon -------------------------------------------------------------------------------------


def test_abandon_marks_the_branch_and_removes_it_from_active_branches(agent, project):
    created = create_branch(agent, project, "spike")

    response = abandon(agent, project, "spike", reason="Superseded by OAuth2")

    assert response.status_code == 200, response.text
    expected = {**created, "status": "abandoned", "abandonReason": "Superseded by OAuth2"}
    assert response.json() == expected
    assert branch_of(agent, project, "spike") == expected
    assert project_of(agent, project)["activeBranches"] == ["main"]
    listed = {b["branchName"]: b for b in agent.get(url(project, "/branches")).json()["branches"]}
    assert listed["spike"]["status"] == "abandoned"


def test_abandon_requires_a_reason(agent, project):
    create_branch(agent, project, "spike")

    assert_error(agent.post(url(project, "/branches/spike/abandon"), json={}), 400, code="invalid_input",
                 field="reason")
    assert_error(abandon(agent, project, "spike", reason=""), 400, field="reason")
    assert branch_of(agent, project, "spike")["status"] == "active"


def test_abandoning_main_twice_or_missing_is_refused(agent, project):
    create_branch(agent, project, "spike")
    assert abandon(agent, project, "spike", reason="first").status_code == 200

    assert_error(abandon(agent, project, "main"), 409, code="conflict")
    assert_error(abandon(agent, project, "spike", reason="second"), 409, code="conflict")
    assert_error(abandon(agent, project, "nope"), 404, code="not_found")
    assert branch_of(agent, project, "main")["status"] == "active"
    assert branch_of(agent, project, "spike")["abandonReason"] == "first"


def test_branch_names_with_slashes_work_percent_encoded(agent, project):
    created = create_branch(agent, project, "feature/auth")
    create_branch(agent, project, "feature")
    milestone = stored(agent, project, "f", branchName="feature/auth")

    assert branch_of(agent, project, "feature%2Fauth") == created
    assert branch_of(agent, project, "feature")["branchName"] == "feature"
    view = recalled(agent, project, view="branch", branch="feature/auth")
    assert [m["milestoneId"] for m in view["milestones"]] == [milestone["milestoneId"]]
    assert "milestones" not in recalled(agent, project, view="branch", branch="feature")

    response = abandon(agent, project, "feature%2Fauth", reason="done")

    assert response.status_code == 200, response.text
    assert branch_of(agent, project, "feature%2Fauth")["status"] == "abandoned"
    assert branch_of(agent, project, "feature")["status"] == "active"
    assert project_of(agent, project)["activeBranches"] == ["main", "feature"]


def test_branches_whose_names_share_a_prefix_do_not_see_each_others_entries(agent, project):
    for name in ("a", "a!", 'a"', "a-b", "a.b"):
        create_branch(agent, project, name)
    for name in ("a!", 'a"', "a-b", "a.b"):
        stored(agent, project, name, branchName=name)
        agent.post(url(project, "/log"), json={"branchName": name, "agentId": "x", "phase": "thought",
                                               "content": name})

    branch_view = recalled(agent, project, view="branch", branch="a")
    log_view = recalled(agent, project, view="log", branch="a")
    later_page = recalled(agent, project, view="branch", branch="a!", offset=0, limit=5)

    assert "milestones" not in branch_view, branch_view
    assert branch_view["page"] == {"limit": 10, "offset": 0, "returned": 0, "total": 0}
    assert "logEntries" not in log_view, log_view
    assert [m["branchName"] for m in later_page["milestones"]] == ["a!"]


# --- merge ---------------------------------------------------------------------------------------


def test_merge_closes_the_source_and_adds_a_merge_milestone_to_the_target(agent, project):
    stored(agent, project, "m1")
    latest_main = stored(agent, project, "m2")
    create_branch(agent, project, "feature-auth")
    for i in range(3):
        stored(agent, project, f"f{i}", branchName="feature-auth")

    response = merge(agent, project, "feature-auth", mergeSummary="JWT auth complete", agentId="merger")

    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result) == {"merged", "milestonesMerged", "mergeMilestoneId", "sourceBranchStatus"}
    assert result["merged"] is True
    assert result["milestonesMerged"] == 3
    assert result["sourceBranchStatus"] == "merged"
    newest = recalled(agent, project, view="branch", limit=1)["milestones"][0]
    assert newest["milestoneId"] == result["mergeMilestoneId"]
    assert newest["branchName"] == "main"
    assert newest["sequenceNumber"] == 3
    assert newest["thisContribution"] == "JWT auth complete"
    assert newest["branchPurpose"] == "Primary development branch"
    assert newest["cumulativeProgress"] == latest_main["cumulativeProgress"]
    assert newest["mergedFrom"] == "feature-auth"
    assert newest["agentId"] == "merger"
    assert branch_of(agent, project, "feature-auth")["status"] == "merged"
    after = project_of(agent, project)
    assert after["activeBranches"] == ["main"]
    assert after["milestoneCount"] == 6


def test_merge_into_a_non_main_target_uses_the_targets_purpose_and_progress(agent, project):
    create_branch(agent, project, "release", purpose="Release hardening")
    create_branch(agent, project, "fix", parentBranch="release")
    release_tip = stored(agent, project, "r", branchName="release", cumulativeProgress="release so far")
    stored(agent, project, "fix", branchName="fix")

    result = merge(agent, project, "fix", targetBranch="release", mergeSummary="fixed").json()

    [merged] = recalled(agent, project, view="milestone", milestoneId=result["mergeMilestoneId"])["milestones"]
    assert (merged["branchName"], merged["branchPurpose"], merged["cumulativeProgress"]) == (
        "release", "Release hardening", release_tip["cumulativeProgress"])
    assert merged["sequenceNumber"] == 2
    assert result["milestonesMerged"] == 1
    assert "milestones" not in recalled(agent, project, view="branch", limit=1)  # main untouched


def test_merge_into_an_empty_target_starts_from_empty_progress(agent, project):
    create_branch(agent, project, "side")

    result = merge(agent, project, "side", mergeSummary="nothing yet").json()

    [merged] = recalled(agent, project, view="milestone", milestoneId=result["mergeMilestoneId"])["milestones"]
    assert result["milestonesMerged"] == 0
    assert merged["cumulativeProgress"] == ""
    assert merged["sequenceNumber"] == 1


def test_merge_refusals(agent, project):
    create_branch(agent, project, "gone")
    create_branch(agent, project, "live")
    abandon(agent, project, "gone")
    stored(agent, project, "on live", branchName="live")

    assert_error(merge(agent, project, "live", targetBranch="live"), 400, code="invalid_input")
    assert_error(merge(agent, project, "main", targetBranch="main"), 400, code="invalid_input")
    assert_error(merge(agent, project, "nope"), 404, code="not_found")
    assert_error(merge(agent, project, "live", targetBranch="nope"), 404, code="not_found")
    assert_error(merge(agent, project, "gone"), 409, code="conflict")
    assert_error(merge(agent, project, "main", targetBranch="live"), 409, code="conflict")
    assert_error(merge(agent, project, "live", targetBranch="gone"), 409, code="conflict")
    assert_error(merge(agent, "ghost", "live"), 404, code="not_found")
    assert branch_of(agent, project, "live")["status"] == "active"
    assert project_of(agent, project)["milestoneCount"] == 1
    assert project_of(agent, project)["activeBranches"] == ["main", "live"]


def test_a_merged_branch_cannot_be_merged_or_abandoned_again(agent, project):
    create_branch(agent, project, "once")
    assert merge(agent, project, "once").status_code == 200

    assert_error(merge(agent, project, "once", mergeSummary="again"), 409, code="conflict")
    assert_error(abandon(agent, project, "once"), 409, code="conflict")
    assert project_of(agent, project)["milestoneCount"] == 1
    assert branch_of(agent, project, "once")["status"] == "merged"


def test_merge_requires_summary_and_agent(agent, project):
    create_branch(agent, project, "side")
    for missing in ("sourceBranch", "mergeSummary", "agentId"):
        body = merge_body("side")
        del body[missing]
        assert_error(agent.post(url(project, "/merge"), json=body), 400, code="invalid_input", field=missing)
    assert branch_of(agent, project, "side")["status"] == "active"
