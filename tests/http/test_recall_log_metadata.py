"""Recall (all five views), the OTA log, and metadata segments."""

from __future__ import annotations

import json

import pytest

from tests.http.helpers import (
    BRANCH_FIELDS,
    LOG_FIELDS,
    PROJECT_FIELDS,
    TIMESTAMP,
    assert_error,
    create_branch,
    create_project,
    log_entry,
    logged,
    milestone,
    project_of,
    recall,
    recalled,
    stored,
    url,
)


def put_metadata(caller, project, segment, document):
    return caller.put(url(project, f"/metadata/{segment}"), json=document)


# --- overview ------------------------------------------------------------------------------------


def test_overview_is_the_default_view_and_omits_empty_fields(agent, project):
    create_branch(agent, project, "side")

    body = recalled(agent, project)

    assert set(body) == {"project", "branches", "view"}
    assert body["view"] == "overview"
    assert body["project"] == project_of(agent, project)
    assert set(body["project"]) == PROJECT_FIELDS
    assert sorted(b["branchName"] for b in body["branches"]) == ["main", "side"]
    assert all(set(b) == BRANCH_FIELDS for b in body["branches"])
    assert recalled(agent, project, view="overview") == body


def test_overview_shows_counts_after_work(agent, project):
    stored(agent, project, 1)
    logged(agent, project, 1)

    body = recalled(agent, project)

    assert body["project"]["milestoneCount"] == 1
    assert set(body) == {"project", "branches", "view"}


def test_invalid_view_is_400(agent, project):
    assert_error(recall(agent, project, view="everything"), 400, code="invalid_input", field="view")


def test_recall_of_missing_project_is_404_for_every_view(agent):
    for params in ({}, {"view": "branch"}, {"view": "log"}, {"view": "milestone", "milestoneId": "ms-1"},
                   {"view": "metadata", "segment": "s"}):
        assert_error(recall(agent, "ghost", **params), 404, code="not_found")


# --- branch view ---------------------------------------------------------------------------------


@pytest.fixture
def twenty_five(agent, project):
    return [stored(agent, project, i) for i in range(1, 26)]


def test_branch_view_defaults_to_ten_newest_first(agent, project, twenty_five):
    body = recalled(agent, project, view="branch")

    assert set(body) == {"branches", "milestones", "page", "view"}
    assert body["view"] == "branch"
    assert [b["branchName"] for b in body["branches"]] == ["main"]
    assert set(body["branches"][0]) == BRANCH_FIELDS
    assert [m["sequenceNumber"] for m in body["milestones"]] == list(range(25, 15, -1))
    assert body["milestones"][0] == twenty_five[-1]
    assert body["page"] == {"limit": 10, "offset": 0, "returned": 10, "total": 25}


PAGES = [  # (limit, offset, sequence numbers returned)
    (10, 20, range(5, 0, -1)),
    (7, 3, range(22, 15, -1)),
    (100, 0, range(25, 0, -1)),
    (1, 24, [1]),
    (5, 25, []),
    (5, 1000, []),
]


def test_branch_view_pages(agent, project, twenty_five, subtests):
    by_sequence = {m["sequenceNumber"]: m for m in twenty_five}
    for limit, offset, expected in PAGES:
        with subtests.test(limit=limit, offset=offset):
            body = recalled(agent, project, view="branch", limit=limit, offset=offset)
            assert [m["sequenceNumber"] for m in body.get("milestones", [])] == list(expected)
            assert body["page"] == {"limit": limit, "offset": offset, "returned": len(expected), "total": 25}
            assert body.get("milestones", []) == [by_sequence[s] for s in expected]


def test_branch_and_log_views_reject_bad_paging(agent, project, subtests):
    for params, field in (({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": -1}, "limit"),
                          ({"limit": "ten"}, "limit"), ({"offset": -1}, "offset"), ({"offset": "x"}, "offset")):
        for view in ("branch", "log"):
            with subtests.test(view=view, **params):
                assert_error(recall(agent, project, view=view, **params), 400, code="invalid_input", field=field)


def test_branch_view_of_missing_branch_is_404(agent, project):
    assert_error(recall(agent, project, view="branch", branch="nope"), 404, code="not_found", field="branchName")


def test_branch_view_of_an_empty_branch_omits_milestones(agent, project):
    body = recalled(agent, project, view="branch")

    assert set(body) == {"branches", "page", "view"}
    assert body["page"] == {"limit": 10, "offset": 0, "returned": 0, "total": 0}


# --- milestone view ------------------------------------------------------------------------------


def test_milestone_view_returns_one_milestone(agent, project):
    stored(agent, project, 1)
    wanted = stored(agent, project, 2)
    stored(agent, project, 3)

    body = recalled(agent, project, view="milestone", milestoneId=wanted["milestoneId"])

    assert body == {"milestones": [wanted], "view": "milestone"}


def test_milestone_view_needs_a_known_milestone_of_this_project(agent, project):
    create_project(agent, "other")
    elsewhere = stored(agent, "other", 1)

    assert_error(recall(agent, project, view="milestone"), 400, code="invalid_input", field="milestoneId")
    assert_error(recall(agent, project, view="milestone", milestoneId=""), 400, field="milestoneId")
    assert_error(recall(agent, project, view="milestone", milestoneId="ms-000000000000"), 404, code="not_found")
    assert_error(recall(agent, project, view="milestone", milestoneId=elsewhere["milestoneId"]), 404)


# --- log -----------------------------------------------------------------------------------------


def test_log_append_returns_the_entry_without_content(agent, project):
    response = agent.post(url(project, "/log"), json={
        "branchName": "main", "agentId": "claude-code-1", "phase": "observation",
        "content": "User requested rate limiting"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == LOG_FIELDS
    assert body["entryId"].startswith("log-")
    assert (body["projectId"], body["branchName"], body["agentId"], body["phase"], body["sequenceNumber"]) == (
        project, "main", "claude-code-1", "observation", 1)
    assert TIMESTAMP.match(body["createdAt"])


def test_each_ota_phase_is_accepted(agent, project):
    for phase in ("observation", "thought", "action"):
        assert logged(agent, project, phase=phase)["phase"] == phase
        assert recalled(agent, project, view="log")["logEntries"][0]["phase"] == phase


def test_unknown_phase_is_400_naming_phase(agent, project, subtests):
    for phase in ("Observation", "plan", "", None):
        with subtests.test(phase=phase):
            response = agent.post(url(project, "/log"), json=log_entry(phase=phase))
            assert_error(response, 400, code="invalid_input", field="phase")
    assert "logEntries" not in recalled(agent, project, view="log")


def test_log_content_must_not_be_empty(agent, project):
    assert_error(agent.post(url(project, "/log"), json=log_entry(content="")), 400, field="content")


def test_log_sequence_is_gapless_per_branch_and_the_view_is_newest_first(agent, project):
    create_branch(agent, project, "side")
    main_numbers = [logged(agent, project, i)["sequenceNumber"] for i in range(1, 26)]
    side_numbers = [logged(agent, project, f"s{i}", branchName="side")["sequenceNumber"] for i in range(3)]

    body = recalled(agent, project, view="log")
    paged = recalled(agent, project, view="log", limit=5, offset=22)
    side = recalled(agent, project, view="log", branch="side")

    assert main_numbers == list(range(1, 26))
    assert side_numbers == [1, 2, 3]
    assert set(body) == {"logEntries", "page", "view"}
    assert body["view"] == "log"
    assert [e["sequenceNumber"] for e in body["logEntries"]] == list(range(25, 5, -1))
    assert [e["content"] for e in body["logEntries"][:2]] == ["observed 25", "observed 24"]
    assert set(body["logEntries"][0]) == {*LOG_FIELDS, "content"}
    assert body["page"] == {"limit": 20, "offset": 0, "returned": 20, "total": 25}
    assert [e["sequenceNumber"] for e in paged["logEntries"]] == [3, 2, 1]
    assert paged["page"] == {"limit": 5, "offset": 22, "returned": 3, "total": 25}
    assert [e["content"] for e in side["logEntries"]] == ["observed s2", "observed s1", "observed s0"]
    assert project_of(agent, project)["milestoneCount"] == 0


def test_log_to_missing_branch_or_project_is_404(agent, project):
    assert_error(agent.post(url(project, "/log"), json=log_entry(branchName="nope")), 404, code="not_found",
                 field="branchName")
    assert_error(agent.post(url("ghost", "/log"), json=log_entry()), 404, code="not_found")
    assert_error(recall(agent, project, view="log", branch="nope"), 404, code="not_found")


def test_logging_to_abandoned_and_merged_branches_is_allowed(agent, project):
    create_branch(agent, project, "dead")
    create_branch(agent, project, "done")
    agent.post(url(project, "/branches/dead/abandon"), json={"reason": "r"})
    agent.post(url(project, "/merge"), json={"sourceBranch": "done", "mergeSummary": "s", "agentId": "a"})

    assert logged(agent, project, "post-mortem", branchName="dead")["sequenceNumber"] == 1
    assert logged(agent, project, "after merge", branchName="done")["sequenceNumber"] == 1
    assert recalled(agent, project, view="log", branch="dead")["logEntries"][0]["content"] == "observed post-mortem"


def test_large_log_content_round_trips(agent, project):
    content = "𝄞" * 50_000

    logged(agent, project, content=content)

    assert recalled(agent, project, view="log")["logEntries"][0]["content"] == content


# --- metadata ------------------------------------------------------------------------------------


def test_metadata_round_trips_through_the_metadata_view(agent, project):
    document = {"owner": "alice", "tags": ["cache", "ünïcode ✓"], "nested": {"n": 1, "f": 0.5, "none": None,
                                                                            "empty": "", "list": []},
                "big": 12345678901234567890, "flag": False}

    response = put_metadata(agent, project, "team.info_v-1", document)

    assert response.status_code == 200, response.text
    body = recalled(agent, project, view="metadata", segment="team.info_v-1")
    assert body["view"] == "metadata"
    assert body["metadata"]["segment"] == "team.info_v-1"
    assert body["metadata"]["content"] == document
    assert response.json()["content"] == document
    assert TIMESTAMP.match(body["metadata"]["updatedAt"])


def test_metadata_put_replaces_the_segment_and_segments_are_separate(agent, project):
    put_metadata(agent, project, "a", {"v": 1, "old": True})
    put_metadata(agent, project, "b", {"v": "b"})

    put_metadata(agent, project, "a", {"v": 2})

    assert recalled(agent, project, view="metadata", segment="a")["metadata"]["content"] == {"v": 2}
    assert recalled(agent, project, view="metadata", segment="b")["metadata"]["content"] == {"v": "b"}


def test_metadata_view_needs_a_known_segment(agent, project):
    assert_error(recall(agent, project, view="metadata"), 400, code="invalid_input", field="segment")
    assert_error(recall(agent, project, view="metadata", segment="unknown"), 404, code="not_found", field="segment")


def test_metadata_must_be_a_json_object(agent, project, subtests):
    for document in ([1, 2], "text", 42, None, True):
        with subtests.test(document=document):
            response = agent.put(url(project, "/metadata/seg"), content=json.dumps(document),
                                 headers={"content-type": "application/json"})
            assert_error(response, 400, code="invalid_input")
    assert_error(recall(agent, project, view="metadata", segment="seg"), 404)


def test_metadata_document_size_limit_is_100000_bytes(agent, project):
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")).encode())
    exact = {"k": "é" * ((100_000 - overhead) // 2)}  # two bytes per character in UTF-8
    assert len(json.dumps(exact, ensure_ascii=False, separators=(",", ":")).encode()) == 100_000
    over = {"k": exact["k"] + "x"}

    assert put_metadata(agent, project, "exact", exact).status_code == 200
    assert_error(put_metadata(agent, project, "over", over), 400, code="invalid_input")
    assert recalled(agent, project, view="metadata", segment="exact")["metadata"]["content"] == exact
    assert_error(recall(agent, project, view="metadata", segment="over"), 404)


def test_metadata_segment_names(agent, project, subtests):
    for segment in ("s" * 128, "A-Za_z.0-9"):
        with subtests.test(segment=segment):
            response = put_metadata(agent, project, segment, {"ok": segment})
            assert response.status_code == 200, response.text
            assert recalled(agent, project, view="metadata", segment=segment)["metadata"]["content"] == {"ok": segment}
    for segment in ("s" * 129, "has%20space", "semi;colon", "hash%23", "colon:x", "%C3%A9"):
        with subtests.test(segment=segment):
            assert_error(put_metadata(agent, project, segment, {"ok": True}), 400, code="invalid_input",
                         field="segment")


def test_metadata_on_missing_project_is_404(agent):
    assert_error(put_metadata(agent, "ghost", "seg", {"a": 1}), 404, code="not_found")


# --- response size -------------------------------------------------------------------------------------


def largest_milestone(tag: int) -> dict:
    """The spec's limits in 4-byte characters: about 250 KB of JSON."""
    return milestone(tag, branchPurpose="🧠" * 1_999 + str(tag % 10), cumulativeProgress="😀" * 50_000,
                     thisContribution="🚀" * 9_990 + f"{tag:010d}")


def test_a_page_of_large_milestones_ends_before_lambdas_payload_limit_and_paging_goes_on(agent, project):
    for tag in range(24):
        stored(agent, project, tag, **largest_milestone(tag))

    first = recall(agent, project, view="branch", limit=24)
    assert first.status_code == 200
    assert len(first.content) < 5_500_000
    body = first.json()
    returned = body["page"]["returned"]
    assert 0 < returned < 24
    assert len(body["milestones"]) == returned
    assert [m["sequenceNumber"] for m in body["milestones"]] == list(range(24, 24 - returned, -1))
    assert body["milestones"][0]["cumulativeProgress"] == "😀" * 50_000

    rest = recalled(agent, project, view="branch", limit=24, offset=returned)
    assert [m["sequenceNumber"] for m in rest["milestones"]] == list(range(24 - returned, 0, -1))
    assert rest["page"]["total"] == 24
