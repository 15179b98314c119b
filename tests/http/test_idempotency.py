"""Idempotency-Key on mutating routes: replay, mismatch, tenant scope, retry after failure."""

from __future__ import annotations

from tests.http.helpers import (
    PROJECTS,
    assert_error,
    create_branch,
    create_project,
    milestone,
    project_of,
    recalled,
    url,
)


def keyed(key):
    return {"Idempotency-Key": key}


def test_same_key_and_body_replays_the_first_response(agent, project):
    first = agent.post(url(project, "/store"), json=milestone(1), headers=keyed("store-1"))
    second = agent.post(url(project, "/store"), json=milestone(1), headers=keyed("store-1"))

    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    assert second.status_code == 200, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert project_of(agent, project)["milestoneCount"] == 1


def test_a_replay_says_again_whether_the_store_was_deduplicated(agent, project):
    agent.post(url(project, "/store"), json=milestone(1))
    duplicate = agent.post(url(project, "/store"), json=milestone(1), headers=keyed("dup-1"))
    replay = agent.post(url(project, "/store"), json=milestone(1), headers=keyed("dup-1"))
    fresh = agent.post(url(project, "/store"), json=milestone(2), headers=keyed("new-1"))
    fresh_replay = agent.post(url(project, "/store"), json=milestone(2), headers=keyed("new-1"))

    assert duplicate.headers["x-cairn-deduplicated"] == "true"
    assert (replay.headers["x-cairn-deduplicated"], replay.headers["idempotent-replayed"]) == ("true", "true")
    assert replay.json() == duplicate.json()
    assert fresh_replay.headers["x-cairn-deduplicated"] == fresh.headers["x-cairn-deduplicated"] == "false"
    assert project_of(agent, project)["milestoneCount"] == 2


def test_replay_does_not_repeat_non_deduplicated_writes(agent, project):
    body = {"agentId": "a", "phase": "action", "content": "ran the tests"}
    responses = [agent.post(url(project, "/log"), json=body, headers=keyed("log-1")) for _ in range(3)]
    unkeyed = agent.post(url(project, "/log"), json=body)

    assert {r.json()["entryId"] for r in responses} == {responses[0].json()["entryId"]}
    assert [r.headers.get("idempotent-replayed") for r in responses] == [None, "true", "true"]
    assert unkeyed.json()["sequenceNumber"] == 2
    assert recalled(agent, project, view="log")["page"]["total"] == 2


def test_same_key_with_a_different_body_is_422(agent, project):
    agent.post(url(project, "/store"), json=milestone(1), headers=keyed("k"))

    response = agent.post(url(project, "/store"), json=milestone(2), headers=keyed("k"))

    assert_error(response, 422, field="Idempotency-Key")
    assert project_of(agent, project)["milestoneCount"] == 1


def test_keys_are_scoped_per_tenant(agent, caller, project):
    other = caller(roles=("agent",))
    create_project(other, project)
    mine = agent.post(url(project, "/store"), json=milestone(1), headers=keyed("shared-key"))

    theirs = other.post(url(project, "/store"), json=milestone(1), headers=keyed("shared-key"))
    theirs_different = other.post(url(project, "/store"), json=milestone(2), headers=keyed("shared-key-2"))
    agent.post(url(project, "/store"), json=milestone(3), headers=keyed("shared-key-2"))

    assert theirs.status_code == 200, theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["milestoneId"] != mine.json()["milestoneId"]
    assert theirs_different.status_code == 200
    assert project_of(other, project)["milestoneCount"] == 2
    assert project_of(agent, project)["milestoneCount"] == 2


def test_keys_are_scoped_per_route(agent, project):
    created = agent.post(PROJECTS, json={"projectId": "via-key", "name": "n", "roadmap": ""}, headers=keyed("k"))
    stored_ = agent.post(url(project, "/store"), json=milestone(), headers=keyed("k"))

    assert created.status_code == 200
    assert stored_.status_code == 200, stored_.text
    assert "milestoneId" in stored_.json()
    assert project_of(agent, project)["milestoneCount"] == 1


def test_requests_without_a_key_are_not_replayed(agent, project):
    create_branch(agent, project, "side")
    again = agent.post(url(project, "/branches"), json={"branchName": "side", "purpose": "p", "agentId": "a"})

    assert_error(again, 409, code="conflict")
    assert "idempotent-replayed" not in again.headers


def test_a_failed_request_can_be_retried_with_the_same_key(agent):
    body = milestone("late")

    missing = agent.post(url("later", "/store"), json=body, headers=keyed("retry-me"))
    create_project(agent, "later")
    retried = agent.post(url("later", "/store"), json=body, headers=keyed("retry-me"))
    replayed = agent.post(url("later", "/store"), json=body, headers=keyed("retry-me"))

    assert_error(missing, 404)
    assert retried.status_code == 200, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == retried.json()
    assert project_of(agent, "later")["milestoneCount"] == 1


def test_a_failed_conflict_is_not_cached_either(agent, project):
    create_branch(agent, project, "spike")
    abandon = {"reason": "r"}
    first = agent.post(url(project, "/branches/spike/abandon"), json=abandon, headers=keyed("a"))
    second = agent.post(url(project, "/branches/spike/abandon"), json=abandon, headers=keyed("b"))
    replay = agent.post(url(project, "/branches/spike/abandon"), json=abandon, headers=keyed("a"))

    assert first.status_code == 200
    assert_error(second, 409)
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"


def test_project_create_replays_instead_of_conflicting(agent):
    body = {"projectId": "once", "name": "Once", "roadmap": "r"}

    first = agent.post(PROJECTS, json=body, headers=keyed("create"))
    second = agent.post(PROJECTS, json=body, headers=keyed("create"))
    unkeyed = agent.post(PROJECTS, json=body)

    assert second.status_code == 200
    assert second.json() == first.json()
    assert_error(unkeyed, 409)


def test_large_milestone_with_a_key_is_stored_and_replayed(agent, project):
    body = milestone("big", branchPurpose="🧠" * 2_000, cumulativeProgress="😀" * 50_000,
                     thisContribution="🚀" * 10_000)

    first = agent.post(url(project, "/store"), json=body, headers=keyed("big"))
    second = agent.post(url(project, "/store"), json=body, headers=keyed("big"))

    assert first.status_code == 200, first.text[:300]
    assert second.status_code == 200, second.text[:300]
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.json()["cumulativeProgress"] == "😀" * 50_000
    assert project_of(agent, project)["milestoneCount"] == 1


def test_metadata_and_delete_accept_keys(agent, project):
    put = agent.put(url(project, "/metadata/s"), json={"v": 1}, headers=keyed("m"))
    replay = agent.put(url(project, "/metadata/s"), json={"v": 1}, headers=keyed("m"))
    mismatch = agent.put(url(project, "/metadata/s"), json={"v": 2}, headers=keyed("m"))
    deleted = agent.delete(url(project), headers=keyed("d"))
    deleted_again = agent.delete(url(project), headers=keyed("d"))

    assert replay.json() == put.json()
    assert_error(mismatch, 422, field="Idempotency-Key")
    assert deleted.status_code == 200
    assert deleted_again.status_code == 200
    assert deleted_again.content == b""
    assert_error(agent.get(url(project)), 404)


def test_key_length_is_bounded(agent, project, subtests):
    for key in ("", "k" * 256):
        with subtests.test(length=len(key)):
            response = agent.post(url(project, "/store"), json=milestone(), headers=keyed(key))
            assert_error(response, 400, code="invalid_input", field="Idempotency-Key")
    assert agent.post(url(project, "/store"), json=milestone(), headers=keyed("k" * 255)).status_code == 200
    assert project_of(agent, project)["milestoneCount"] == 1
