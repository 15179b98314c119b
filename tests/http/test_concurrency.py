"""Concurrent requests: gapless numbering, deduplication races, create races."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.http.helpers import PROJECTS, assert_error, create_branch, log_entry, milestone, project_of, recalled, url


def in_parallel(count, request):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(request, range(count)))


def test_concurrent_stores_get_gapless_unique_sequence_numbers(agent, project):
    responses = in_parallel(20, lambda i: agent.post(url(project, "/store"), json=milestone(f"c{i}")))

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses if r.status_code != 200]
    assert sorted(r.json()["sequenceNumber"] for r in responses) == list(range(1, 21))
    assert len({r.json()["milestoneId"] for r in responses}) == 20
    assert project_of(agent, project)["milestoneCount"] == 20
    view = recalled(agent, project, view="branch", limit=100)
    assert [m["sequenceNumber"] for m in view["milestones"]] == list(range(20, 0, -1))
    assert {m["cumulativeProgress"] for m in view["milestones"]} == {f"progress c{i}" for i in range(20)}


def test_concurrent_identical_stores_create_one_milestone(agent, project):
    responses = in_parallel(10, lambda _: agent.post(url(project, "/store"), json=milestone("same")))

    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert len({r.json()["milestoneId"] for r in responses}) == 1
    assert sorted(r.headers["x-cairn-deduplicated"] for r in responses) == ["false"] + ["true"] * 9
    assert project_of(agent, project)["milestoneCount"] == 1
    assert recalled(agent, project, view="branch")["page"]["total"] == 1


def test_concurrent_creates_of_one_project_admit_exactly_one(agent):
    body = {"projectId": "race", "name": "Race", "roadmap": ""}

    responses = in_parallel(2, lambda _: agent.post(PROJECTS, json=body))

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert_error(next(r for r in responses if r.status_code == 409), 409, field="projectId")
    assert [p["projectId"] for p in agent.get(PROJECTS).json()["projects"]] == ["race"]
    assert agent.get(url("race", "/branches")).json()["branches"][0]["branchName"] == "main"


def test_concurrent_log_appends_get_gapless_sequence_numbers(agent, project):
    responses = in_parallel(20, lambda i: agent.post(url(project, "/log"), json=log_entry(i)))

    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses if r.status_code != 200]
    assert sorted(r.json()["sequenceNumber"] for r in responses) == list(range(1, 21))
    view = recalled(agent, project, view="log", limit=100)
    assert [e["sequenceNumber"] for e in view["logEntries"]] == list(range(20, 0, -1))
    assert len({e["entryId"] for e in view["logEntries"]}) == 20


def test_concurrent_stores_on_two_branches_number_each_branch_independently(agent, project):
    create_branch(agent, project, "side")

    responses = in_parallel(20, lambda i: agent.post(url(project, "/store"), json=milestone(
        f"b{i}", branchName="main" if i % 2 else "side")))

    assert [r.status_code for r in responses] == [200] * 20
    for branch in ("main", "side"):
        numbers = sorted(r.json()["sequenceNumber"] for r in responses if r.json()["branchName"] == branch)
        assert numbers == list(range(1, 11))
    assert project_of(agent, project)["milestoneCount"] == 20


def test_merge_racing_stores_to_the_source_counts_what_it_merged(agent, project):
    create_branch(agent, project, "side")

    def work(i):
        if i == 5:
            return agent.post(url(project, "/merge"), json={"sourceBranch": "side", "mergeSummary": "m",
                                                            "agentId": "a"})
        return agent.post(url(project, "/store"), json=milestone(f"s{i}", branchName="side"))

    responses = in_parallel(10, work)

    merge = responses[5]
    assert merge.status_code == 200, merge.text
    stores = [r for i, r in enumerate(responses) if i != 5]
    accepted = [r for r in stores if r.status_code == 200]
    assert all(r.status_code in (200, 409) for r in stores), [r.text for r in stores]
    assert merge.json()["milestonesMerged"] == len(accepted)
    assert recalled(agent, project, view="branch", branch="side")["page"]["total"] == len(accepted)
    assert project_of(agent, project)["milestoneCount"] == len(accepted) + 1
