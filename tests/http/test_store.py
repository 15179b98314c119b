"""Store (COMMIT): defaults, numbering, counts, branch state, deduplication, content hash, large texts."""

from __future__ import annotations

import boto3

from cairn.aws.keys import blob_prefix
from tests.http.helpers import (
    TIMESTAMP,
    assert_error,
    create_branch,
    create_project,
    merge_body,
    milestone,
    project_of,
    recalled,
    store,
    stored,
    url,
)

MILESTONE_FIELDS = {"milestoneId", "projectId", "branchName", "branchPurpose", "cumulativeProgress",
                    "thisContribution", "contentHash", "sequenceNumber", "agentId", "agentType", "createdAt"}


def test_store_defaults_to_main_and_custom_agent_type(agent, project):
    response = store(agent, project)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == MILESTONE_FIELDS
    assert body["milestoneId"].startswith("ms-")
    assert body["projectId"] == project
    assert body["branchName"] == "main"
    assert body["agentType"] == "custom"
    assert body["agentId"] == "claude-code-1"
    assert body["sequenceNumber"] == 1
    assert (body["branchPurpose"], body["cumulativeProgress"], body["thisContribution"]) == (
        "Core cache", "progress 0", "contribution 0")
    assert TIMESTAMP.match(body["createdAt"])
    assert response.headers["x-cairn-deduplicated"] == "false"


def test_store_keeps_an_explicit_agent_type_and_branch(agent, project):
    create_branch(agent, project, "feature-auth")

    body = stored(agent, project, branchName="feature-auth", agentType="claude-code")

    assert (body["branchName"], body["agentType"]) == ("feature-auth", "claude-code")
    [again] = recalled(agent, project, view="branch", branch="feature-auth")["milestones"]
    assert again == body


def test_sequence_numbers_are_per_branch_gapless_from_one(agent, project):
    create_branch(agent, project, "side")

    main_numbers = [stored(agent, project, f"m{i}")["sequenceNumber"] for i in range(5)]
    side_numbers = [stored(agent, project, f"s{i}", branchName="side")["sequenceNumber"] for i in range(3)]
    main_numbers.append(stored(agent, project, "m5")["sequenceNumber"])

    assert main_numbers == [1, 2, 3, 4, 5, 6]
    assert side_numbers == [1, 2, 3]
    assert project_of(agent, project)["milestoneCount"] == 9


def test_store_to_a_missing_branch_or_project_is_404_and_counts_nothing(agent, project):
    assert_error(store(agent, project, branchName="nope"), 404, code="not_found", field="branchName")
    assert_error(store(agent, "no-such-project"), 404, code="not_found")
    assert project_of(agent, project)["milestoneCount"] == 0


def test_store_to_abandoned_or_merged_branch_is_409(agent, project):
    create_branch(agent, project, "dead")
    create_branch(agent, project, "done")
    stored(agent, project, "d", branchName="done")
    assert agent.post(url(project, "/branches/dead/abandon"), json={"reason": "dead end"}).status_code == 200
    assert agent.post(url(project, "/merge"), json=merge_body("done")).status_code == 200
    count = project_of(agent, project)["milestoneCount"]

    assert_error(store(agent, project, "x", branchName="dead"), 409, code="conflict")
    assert_error(store(agent, project, "y", branchName="done"), 409, code="conflict")
    assert project_of(agent, project)["milestoneCount"] == count
    assert "milestones" not in recalled(agent, project, view="branch", branch="dead")


def test_identical_content_is_deduplicated_to_the_existing_milestone(agent, project):
    first = store(agent, project, "same")
    second = store(agent, project, "same", agentId="another-agent", agentType="codex")

    assert first.headers["x-cairn-deduplicated"] == "false"
    assert second.status_code == 200, second.text
    assert second.headers["x-cairn-deduplicated"] == "true"
    assert second.json() == first.json()
    assert project_of(agent, project)["milestoneCount"] == 1
    view = recalled(agent, project, view="branch")
    assert view["page"]["total"] == 1
    assert [m["milestoneId"] for m in view["milestones"]] == [first.json()["milestoneId"]]


def test_deduplication_spans_branches_of_the_project(agent, project):
    original = stored(agent, project, "shared")
    create_branch(agent, project, "side")

    again = store(agent, project, "shared", branchName="side")

    assert again.headers["x-cairn-deduplicated"] == "true"
    assert again.json()["milestoneId"] == original["milestoneId"]
    assert again.json()["branchName"] == "main"
    assert project_of(agent, project)["milestoneCount"] == 1
    assert "milestones" not in recalled(agent, project, view="branch", branch="side")


def test_content_differing_in_any_part_is_a_new_milestone(agent, project):
    base = stored(agent, project, branchPurpose="ab", cumulativeProgress="", thisContribution="c")
    variants = [
        {"branchPurpose": "a", "cumulativeProgress": "b", "thisContribution": "c"},  # text moved between parts
        {"branchPurpose": "ab", "cumulativeProgress": "", "thisContribution": "c "},
        {"branchPurpose": "AB", "cumulativeProgress": "", "thisContribution": "c"},
    ]

    results = [store(agent, project, **variant) for variant in variants]

    assert [r.headers["x-cairn-deduplicated"] for r in results] == ["false"] * 3
    ids = {base["milestoneId"], *(r.json()["milestoneId"] for r in results)}
    assert len(ids) == 4
    assert len({base["contentHash"], *(r.json()["contentHash"] for r in results)}) == 4
    assert project_of(agent, project)["milestoneCount"] == 4


def test_identical_content_in_another_project_is_not_deduplicated(agent, project):
    create_project(agent, "other")
    mine = stored(agent, project, "same")

    theirs = store(agent, "other", "same")

    assert theirs.headers["x-cairn-deduplicated"] == "false"
    assert theirs.json()["milestoneId"] != mine["milestoneId"]
    assert project_of(agent, "other")["milestoneCount"] == 1


def test_content_hash_is_a_stable_integer_across_projects_and_tenants(agent, caller, project):
    other = caller()
    create_project(other, project)
    create_project(agent, "second")

    hashes = [stored(agent, project, "h")["contentHash"], stored(agent, "second", "h")["contentHash"],
              stored(other, project, "h")["contentHash"]]

    assert all(type(h) is int and h > 0 for h in hashes), hashes
    assert len(set(hashes)) == 1
    assert hashes[0] < 2**53  # survives a JavaScript Number
    assert stored(agent, project, "different")["contentHash"] != hashes[0]


def test_large_four_byte_texts_are_stored_whole_through_s3(agent, aws, project):
    progress = "😀" * 50_000
    contribution = "🚀" * 10_000
    purpose = "🧠" * 2_000

    response = store(agent, project, branchPurpose=purpose, cumulativeProgress=progress,
                     thisContribution=contribution)

    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert (body["branchPurpose"], body["cumulativeProgress"], body["thisContribution"]) == (
        purpose, progress, contribution)
    [by_id] = recalled(agent, project, view="milestone", milestoneId=body["milestoneId"])["milestones"]
    [on_branch] = recalled(agent, project, view="branch")["milestones"]
    for view in (by_id, on_branch):
        assert view["cumulativeProgress"] == progress
        assert view["thisContribution"] == contribution
        assert view["branchPurpose"] == purpose
        assert view == body
    objects = boto3.client("s3").list_objects_v2(Bucket=aws["CAIRN_BUCKET_NAME"],
                                                   Prefix=blob_prefix(agent.tenant, project))
    assert objects["KeyCount"] >= 1, objects
    assert all(o["Size"] > 0 for o in objects["Contents"])


def test_large_texts_deduplicate_and_feed_a_merge(agent, project):
    big = milestone("big", cumulativeProgress="😀" * 50_000)
    create_branch(agent, project, "side")
    first = agent.post(url(project, "/store"), json=big)
    again = agent.post(url(project, "/store"), json=big)
    stored(agent, project, "side work", branchName="side")

    merged = agent.post(url(project, "/merge"), json=merge_body("side"))

    assert again.headers["x-cairn-deduplicated"] == "true"
    assert again.json()["milestoneId"] == first.json()["milestoneId"]
    assert merged.status_code == 200, merged.text
    [merge_milestone] = recalled(agent, project, view="milestone",
                                 milestoneId=merged.json()["mergeMilestoneId"])["milestones"]
    assert merge_milestone["cumulativeProgress"] == "😀" * 50_000


def test_store_without_body_fields_names_them(agent, project):
    for missing in ("branchPurpose", "cumulativeProgress", "thisContribution", "agentId"):
        body = milestone(missing)
        del body[missing]
        assert_error(agent.post(url(project, "/store"), json=body), 400, code="invalid_input", field=missing)
    assert project_of(agent, project)["milestoneCount"] == 0
