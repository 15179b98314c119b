"""Delete then recreate at once (docs/memory-model.md, "Delete and recreate"): the recreated project is a new
generation, empty, and nothing of the deleted one ever shows in it, also while the old purge still runs."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import boto3
import pytest

from cairn.aws import partition
from cairn.aws.keys import PROJECT_SK, ProjectRef, blob_prefix
from cairn.insights.store.knowledge import knowledge_id
from cairn.memory.store import purge
from cairn.search.service import compaction as search_compaction
from cairn_local import handlers
from tests.http.helpers import (
    PROJECTS,
    assert_error,
    create_branch,
    logged,
    ok,
    recall,
    recalled,
    stored,
    url,
    wait_for_purges,
)
from tests.http.test_delete import BIG, blob_keys, partition_items, seed_milestones

AGENT = "claude-code-1"  # the helpers' agentId
CONTRIBUTORS = "/api/v1/memory/contributors"


def session(session_id: str) -> dict[str, Any]:
    return {"sessionId": session_id, "agentId": AGENT, "milestonesRecalled": 3, "toolCallsTotal": 9,
            "sessionDurationSecs": 60, "startedAt": "2026-02-10T14:00:00Z", "endedAt": "2026-02-10T14:01:00Z"}


def knowledge_body(cache_key: str, summary: str) -> dict[str, Any]:
    return {"cacheKey": cache_key, "reuseScore": 0.9, "summary": summary, "l2Collection": "default"}


def recreate(caller: Any, project: str, name: str = "Reborn") -> Any:
    return caller.post(PROJECTS, json={"projectId": project, "name": name, "roadmap": "Again"})


@pytest.fixture
def held_purges(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int]]:
    """DELETE as usual, but the purges it starts are held here (run them with ``run_purge``), so that a
    test controls when the old generation's purge runs relative to the new generation's writes."""
    started: list[tuple[str, str, int]] = []

    def hold(tenant: str, project_id: str, generation: int = 0) -> str:
        started.append((tenant, project_id, generation))
        return f"held-{len(started)}"

    monkeypatch.setattr(purge, "start_purge", hold)
    return started


def run_purge(tenant: str, project_id: str, generation: int) -> int:
    pages = 0
    while not purge.purge_page(tenant, project_id, generation)["done"]:
        pages += 1
    return pages


def old_project(caller: Any, aws: dict[str, str], project: str) -> dict[str, Any]:
    """A project holding every kind of item, a few hundred milestones and a compacted search segment."""
    seed_milestones(aws, caller.tenant, project, 300)
    create_branch(caller, project, "side")
    old = {
        "first": stored(caller, project, "zebra", thisContribution="zebra migration finished"),
        "big": stored(caller, project, "big", thisContribution="zebra blob", cumulativeProgress=BIG),
        "side": stored(caller, project, "side", branchName="side", thisContribution="zebra side work"),
    }
    logged(caller, project, "old log")
    ok(caller.put(url(project, "/metadata/seg"), json={"old": True}))
    ok(caller.post(url(project, "/metrics"), json=session("old-session")))
    ok(caller.post(url(project, "/promote"), json=knowledge_body("old-key", "zebra knowledge from before")))
    assert search_compaction.compact(caller.tenant, project).indexed >= 4  # a segment in S3
    stored(caller, project, "pending", thisContribution="zebra pending document")  # and one still pending
    ok(caller.post(CONTRIBUTORS, json={"contributorId": "zed", "displayName": "Zed", "agentIds": [AGENT, "seeder"]}))
    return old


def ids(body: dict[str, Any]) -> set[str]:
    return {m["milestoneId"] for m in body.get("milestones", [])}  # empty lists are left out of recall


def assert_only_new(caller: Any, project: str, old: dict[str, Any], new_ids: set[str]) -> None:
    """Every read of the recreated project shows the new generation's data and nothing of the old one."""
    overview = recalled(caller, project)
    assert overview["project"]["milestoneCount"] == len(new_ids)
    assert [b["branchName"] for b in overview["branches"]] == ["main"]
    assert [b["branchName"] for b in ok(caller.get(url(project, "/branches")))["branches"]] == ["main"]
    assert_error(caller.get(url(project, "/branches/side")), 404, field="branchName")
    branch = recalled(caller, project, view="branch", limit=100)
    assert ids(branch) == new_ids
    assert branch["page"]["total"] == len(new_ids)
    assert recalled(caller, project, view="log")["page"]["total"] == 0
    for milestone in old.values():
        assert_error(recall(caller, project, view="milestone", milestoneId=milestone["milestoneId"]), 404,
                     field="milestoneId")
    assert_error(recall(caller, project, view="metadata", segment="seg"), 404, field="segment")
    searched = ok(caller.post(url(project, "/search"), json={"query": "zebra", "limit": 100}))
    assert ids(searched) <= new_ids
    across = ok(caller.post("/api/v1/memory/search", json={"query": "zebra", "limit": 200}))
    assert ids(across) <= new_ids
    named = ok(caller.post("/api/v1/memory/search", json={"query": "zebra", "projectIds": [project]}))
    assert ids(named) <= new_ids
    answer = ok(caller.post("/api/v1/memory/intelligence/query", json={"question": "zebra", "timeRange": "all"}))
    assert {s["milestoneId"] for s in answer["sources"] if "milestoneId" in s} <= new_ids
    assert knowledge_id("old-key") not in {s.get("knowledgeId") for s in answer["sources"]}
    activity = ok(caller.get(f"{CONTRIBUTORS}/zed/activity", params={"limit": 200}))
    assert ids(activity) == new_ids
    summary = ok(caller.get(url(project, "/metrics/summary")))
    assert summary["totalSessions"] == 0
    assert [p["projectId"] for p in ok(caller.get(PROJECTS))["projects"]] == [project]


def test_a_deleted_project_is_recreated_at_once_empty_and_nothing_old_ever_shows(agent, aws, project, held_purges):
    old = old_project(agent, aws, project)
    old_blobs = blob_keys(aws, blob_prefix(agent.tenant, project))
    assert any("/search/" in key for key in old_blobs)

    assert agent.delete(url(project)).status_code == 200
    assert held_purges == [(agent.tenant, project, 0)]
    created = ok(recreate(agent, project))

    assert created["milestoneCount"] == 0
    assert created["activeBranches"] == ["main"]
    assert created["name"] == "Reborn"
    assert_only_new(agent, project, old, set())

    # The same content as an old milestone is new here: not deduplicated, numbered from 1.
    again = agent.post(url(project, "/store"), json={
        "branchPurpose": "Core cache", "cumulativeProgress": "progress zebra",
        "thisContribution": "zebra migration finished", "agentId": AGENT})
    assert again.status_code == 200, again.text
    assert again.headers["x-cairn-deduplicated"] == "false"
    assert again.json()["sequenceNumber"] == 1
    seeded = agent.post(url(project, "/store"), json={
        "branchPurpose": "Seeded", "cumulativeProgress": "progress 7", "thisContribution": "contribution 7",
        "agentId": AGENT})
    assert seeded.headers["x-cairn-deduplicated"] == "false"
    assert seeded.json()["sequenceNumber"] == 2
    big = stored(agent, project, "new-big", thisContribution="zebra new blob", cumulativeProgress=BIG)
    new_ids = {again.json()["milestoneId"], seeded.json()["milestoneId"], big["milestoneId"]}
    assert_only_new(agent, project, old, new_ids)

    # The old generation's purge runs now, after the new generation was written: it removes only its own.
    ok(agent.post(url(project, "/promote"), json=knowledge_body("new-key", "zebra knowledge of today")))
    search_compaction.compact(agent.tenant, project, generation=1)
    new_ref = ProjectRef(agent.tenant, project, 1)
    new_items = _partition(aws, new_ref.pk)
    new_blobs = blob_keys(aws, new_ref.blob_prefix)
    assert any("/search/" in key for key in new_blobs)
    assert run_purge(agent.tenant, project, 0) >= 1

    assert _partition(aws, new_ref.pk) == new_items
    assert blob_keys(aws, new_ref.blob_prefix) == new_blobs
    assert blob_keys(aws, blob_prefix(agent.tenant, project)) == []
    [anchor] = partition_items(aws, agent.tenant, project)
    assert anchor["SK"] == PROJECT_SK
    assert anchor["lifecycle"] == "moved"
    assert anchor["latestGeneration"] == 1
    assert "GSI1PK" not in anchor
    assert "roadmap" not in anchor
    assert_only_new(agent, project, old, new_ids)
    assert recalled(agent, project, view="milestone", milestoneId=big["milestoneId"])["milestones"][0][
        "cumulativeProgress"] == BIG


def _partition(aws: dict[str, str], pk: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(aws["CAIRN_TABLE_NAME"])
    items, start = [], {}
    while True:
        page = table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": pk}, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_a_chain_of_deletes_and_recreates_with_the_real_purges(agent, aws, project, monkeypatch):
    # The purges are held until every recreate is done: a purge that retired generation 0 before its recreate
    # leaves no anchor, and the recreate would start afresh at generation 0 (right, but not this chain).
    worker = handlers.module("ProjectPurgeFunction")
    release = threading.Event()
    real_purge_page = worker.purge_page

    def held(*args: Any, **kwargs: Any) -> dict[str, Any]:
        assert release.wait(30), "the purges were never released"
        return real_purge_page(*args, **kwargs)

    monkeypatch.setattr(worker, "purge_page", held)
    made = []
    for generation in range(1, 4):
        made.append(stored(agent, project, f"gen {generation - 1}", cumulativeProgress=BIG))
        assert agent.delete(url(project)).status_code == 200
        created = ok(recreate(agent, project, name=f"Generation {generation}"))
        assert created["milestoneCount"] == 0
        first = stored(agent, project, "same content")
        assert first["sequenceNumber"] == 1
        assert recalled(agent, project, view="branch")["page"]["total"] == 1
        for earlier in made:
            assert_error(recall(agent, project, view="milestone", milestoneId=earlier["milestoneId"]), 404)
        made.append(first)

    release.set()
    executions = wait_for_purges(agent.tenant)
    assert [e["status"] for e in executions] == ["SUCCEEDED"] * 3
    live = ProjectRef(agent.tenant, project, 3)
    assert project_of_name(agent, project) == "Generation 3"
    assert recalled(agent, project, view="branch")["milestones"][0]["milestoneId"] == made[-1]["milestoneId"]
    for generation in (1, 2):
        assert _partition(aws, live.at(generation).pk) == []
        assert blob_keys(aws, live.at(generation).blob_prefix) == []
    assert [item["SK"] for item in _partition(aws, live.anchor.pk)] == [PROJECT_SK]
    assert {item["SK"] for item in _partition(aws, live.pk)} >= {PROJECT_SK, "MS#main"}
    assert [p["projectId"] for p in ok(agent.get(PROJECTS))["projects"]] == [project]


def project_of_name(caller: Any, project: str) -> str:
    return ok(caller.get(url(project)))["name"]


def test_recreating_a_live_project_is_409_and_concurrent_recreates_give_one_200(agent, project, held_purges):
    assert_error(recreate(agent, project), 409, code="conflict")
    assert agent.delete(url(project)).status_code == 200
    for _ in range(3):  # a few rounds: the two requests really race
        barrier = threading.Barrier(2)
        replies: list[Any] = []

        def post(barrier: threading.Barrier = barrier, replies: list[Any] = replies) -> None:
            barrier.wait()
            replies.append(recreate(agent, project))

        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r.status_code for r in replies) == [200, 409], [r.text for r in replies]
        assert "already exists" in next(r for r in replies if r.status_code == 409).json()["error"]["message"]
        assert agent.delete(url(project)).status_code == 200
    assert [generation for *_, generation in held_purges] == [0, 1, 2, 3]


def test_a_container_that_saw_an_older_generation_follows_the_anchor(agent, project, held_purges):
    """Another container deleted and recreated the project: this one's cached generation is stale."""
    stored(agent, project, "gen 0")
    assert agent.delete(url(project)).status_code == 200
    ok(recreate(agent, project))
    stale = partition.current(agent.tenant, project)
    assert stale.generation == 1
    assert agent.delete(url(project)).status_code == 200
    ok(recreate(agent, project))
    new = stored(agent, project, "gen 2")

    for number, remembered in enumerate((stale, stale.anchor), start=2):  # stale, and never seen (generation 0)
        partition.remember(remembered)
        assert recalled(agent, project, view="branch")["milestones"][0]["milestoneId"] == new["milestoneId"]
        partition.remember(remembered)
        assert stored(agent, project, f"after {number}")["sequenceNumber"] == number
        partition.remember(remembered)
        assert recalled(agent, project)["project"]["milestoneCount"] == number
        new = recalled(agent, project, view="branch")["milestones"][0]
    assert partition.current(agent.tenant, project).generation == 2


@pytest.fixture
def dynamodb_calls(aws: dict[str, str]) -> Counter:
    from cairn.aws import clients

    calls: Counter = Counter()
    clients.dynamodb().meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
    return calls


def counted(calls: Counter, request: Any) -> tuple[Any, int]:
    calls.clear()
    reply = request()
    assert reply.status_code == 200, reply.text
    return reply, sum(calls.values())


ROUTES = {
    "get project": lambda c, p: c.get(url(p)),
    "overview": lambda c, p: recall(c, p),
    "branch page": lambda c, p: recall(c, p, view="branch"),
    "log page": lambda c, p: recall(c, p, view="log"),
    "milestone": lambda c, p: recall(c, p, view="milestone", milestoneId=c.milestone),
    "store": lambda c, p: c.post(url(p, "/store"), json={"branchPurpose": "b", "cumulativeProgress": "p",
                                                      "thisContribution": f"c {c.counter()}", "agentId": "a"}),
    "search": lambda c, p: c.post(url(p, "/search"), json={"query": "anything"}),
}


def test_dynamodb_calls_of_a_recreated_project(agent, project, held_purges, dynamodb_calls):
    """Never recreated: as before. Recreated: the same in steady state; a container's first request after
    the recreate follows the anchor (+1 when the request reads PROJECT, +2 when it reads a head)."""
    counter = iter(range(10**6))
    agent.counter = lambda: next(counter)
    agent.milestone = stored(agent, project, "x")["milestoneId"]
    before = {name: counted(dynamodb_calls, lambda r=route: r(agent, project))[1] for name, route in ROUTES.items()}

    assert agent.delete(url(project)).status_code == 200
    ok(recreate(agent, project))
    agent.milestone = stored(agent, project, "x")["milestoneId"]
    for route in ROUTES.values():  # steady state: after one request of each kind has found the generation
        route(agent, project)
    steady = {name: counted(dynamodb_calls, lambda r=route: r(agent, project))[1] for name, route in ROUTES.items()}
    first = {}
    for name, route in ROUTES.items():
        partition.forget_all()
        first[name] = counted(dynamodb_calls, lambda r=route: r(agent, project))[1]

    assert steady == before
    assert {name: first[name] - before[name] for name in ROUTES} == {
        "get project": 1, "overview": 1, "branch page": 2, "log page": 2, "milestone": 1, "store": 2, "search": 1}
