"""Deleting a project: hidden at once, purged by the state machine page by page, then recreatable."""

from __future__ import annotations

import boto3

from cairn.aws.keys import PROJECT_SK, blob_prefix, project_pk
from cairn.memory.domain.milestones import content_digest, content_hash
from cairn.memory.store.keys import entry_sk, hash_guard_sk, milestone_head_sk
from cairn.memory.store.milestones import stored_items
from tests.http.helpers import (
    PROJECTS,
    assert_error,
    create_branch,
    create_project,
    logged,
    merge_body,
    milestone,
    project_of,
    purge_executions,
    recall,
    recalled,
    stored,
    url,
    wait_for_purges,
)

BIG = "😀" * 30_000  # over the inline limit: lives in S3


def partition_items(aws, tenant, project):
    table = boto3.resource("dynamodb").Table(aws["CAIRN_TABLE_NAME"])
    items, start = [], {}
    while True:
        page = table.query(KeyConditionExpression="PK = :pk",
                           ExpressionAttributeValues={":pk": project_pk(tenant, project)}, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def partition_size(aws, tenant, project):
    count, start = 0, {}
    while True:
        page = boto3.client("dynamodb").query(
            TableName=aws["CAIRN_TABLE_NAME"], KeyConditionExpression="PK = :pk", Select="COUNT",
            ExpressionAttributeValues={":pk": {"S": project_pk(tenant, project)}}, **start)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            return count
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def blob_keys(aws, prefix):
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=aws["CAIRN_BUCKET_NAME"],
                                                                          Prefix=prefix)
    return [entry["Key"] for page in pages for entry in page.get("Contents", [])]


def populate(caller, project):
    """A project with every kind of item: branches, milestones (some in S3), log entries, metadata."""
    create_branch(caller, project, "side")
    create_branch(caller, project, "spike")
    first = stored(caller, project, "m1")
    stored(caller, project, "big", cumulativeProgress=BIG)
    stored(caller, project, "s1", branchName="side")
    logged(caller, project, "l1")
    logged(caller, project, "big", content=BIG)
    caller.put(url(project, "/metadata/seg"), json={"k": "v"})
    caller.post(url(project, "/branches/spike/abandon"), json={"reason": "r"})
    caller.post(url(project, "/merge"), json=merge_body("side"))
    return first


def assert_succeeded(executions):
    assert executions, "no purge was started"
    assert [e["status"] for e in executions] == ["SUCCEEDED"] * len(executions), executions


def test_delete_returns_an_empty_200_and_every_route_is_404_at_once(agent, project):
    first = populate(agent, project)

    response = agent.delete(url(project))

    assert response.status_code == 200
    assert response.content == b""
    for reply in [
        agent.get(url(project)),
        agent.delete(url(project)),
        agent.put(url(project, "/roadmap"), json={"roadmap": "r"}),
        recall(agent, project),
        recall(agent, project, view="branch"),
        recall(agent, project, view="branch", branch="side", offset=1),
        recall(agent, project, view="milestone", milestoneId=first["milestoneId"]),
        recall(agent, project, view="log"),
        recall(agent, project, view="metadata", segment="seg"),
        agent.post(url(project, "/store"), json=milestone("after")),
        agent.post(url(project, "/store"), json=milestone("m1")),  # would be a duplicate
        agent.post(url(project, "/log"), json={"agentId": "a", "phase": "thought", "content": "c"}),
        agent.get(url(project, "/branches")),
        agent.get(url(project, "/branches/main")),
        agent.post(url(project, "/branches"), json={"branchName": "new", "purpose": "p", "agentId": "a"}),
        agent.post(url(project, "/merge"), json=merge_body("spike")),
        agent.put(url(project, "/metadata/seg"), json={"k": "w"}),
    ]:
        assert_error(reply, 404, code="not_found")
    assert agent.get(PROJECTS).json() == {"projects": []}
    assert_succeeded(wait_for_purges(agent.tenant))


def test_purge_removes_every_item_and_blob_and_the_id_can_be_reused(agent, aws, project):
    first = populate(agent, project)
    prefix = blob_prefix(agent.tenant, project)
    assert len(partition_items(aws, agent.tenant, project)) > 10
    assert len(blob_keys(aws, prefix)) >= 2

    assert agent.delete(url(project)).status_code == 200
    assert_succeeded(wait_for_purges(agent.tenant))

    assert partition_items(aws, agent.tenant, project) == []
    assert blob_keys(aws, prefix) == []

    fresh = create_project(agent, project, name="Reborn")
    assert fresh["milestoneCount"] == 0
    assert fresh["activeBranches"] == ["main"]
    assert [b["branchName"] for b in agent.get(url(project, "/branches")).json()["branches"]] == ["main"]
    assert recalled(agent, project, view="branch")["page"]["total"] == 0
    assert recalled(agent, project, view="log")["page"]["total"] == 0
    assert_error(recall(agent, project, view="milestone", milestoneId=first["milestoneId"]), 404)
    assert_error(recall(agent, project, view="metadata", segment="seg"), 404)
    again = agent.post(url(project, "/store"), json=milestone("m1"))
    assert again.headers["x-cairn-deduplicated"] == "false"
    assert again.json()["sequenceNumber"] == 1
    assert again.json()["milestoneId"] != first["milestoneId"]


def seed_milestones(aws, tenant, project, count):
    """Writes ``count`` milestones on main the way the store does (items, hash guards, head, counter)."""
    pk = project_pk(tenant, project)
    table = boto3.resource("dynamodb").Table(aws["CAIRN_TABLE_NAME"])
    with table.batch_writer() as batch:
        for sequence in range(1, count + 1):
            parts = ("Seeded", f"progress {sequence}", f"contribution {sequence}")
            digest = content_digest(*parts)
            sk = entry_sk(milestone_head_sk("main"), sequence)
            milestone_id = f"ms-seed{sequence:08d}"
            for item in stored_items({
                "PK": pk, "SK": sk, "entity": "milestone", "milestoneId": milestone_id, "projectId": project,
                "branchName": "main", "sequenceNumber": sequence, "contentHash": content_hash(digest),
                "digest": digest, "createdAt": "2026-01-15T10:30:00Z", "branchPurpose": parts[0],
                "cumulativeProgress": parts[1], "thisContribution": parts[2], "agentId": "seeder",
                "agentType": "custom"}):
                batch.put_item(Item=item)
            batch.put_item(Item={"PK": pk, "SK": hash_guard_sk(digest), "entity": "hash-guard", "milestoneSk": sk})
    table.update_item(Key={"PK": pk, "SK": milestone_head_sk("main")}, UpdateExpression="SET msSeq = :n",
                      ExpressionAttributeValues={":n": count})
    table.update_item(Key={"PK": pk, "SK": PROJECT_SK}, UpdateExpression="SET milestoneCount = :n",
                      ExpressionAttributeValues={":n": count})


def test_purge_of_a_large_project_loops_until_everything_is_gone(agent, aws, project):
    seed_milestones(aws, agent.tenant, project, 1_500)
    stored(agent, project, "api-1501", cumulativeProgress=BIG)
    view = recalled(agent, project, view="branch", limit=3, offset=1_498)
    assert [m["sequenceNumber"] for m in view["milestones"]] == [3, 2, 1]
    assert view["page"]["total"] == 1_501
    assert agent.post(url(project, "/store"), json=milestone(
        branchPurpose="Seeded", cumulativeProgress="progress 7", thisContribution="contribution 7",
    )).json()["milestoneId"] == "ms-seed00000007"  # the seed is what the store would have written
    assert partition_size(aws, agent.tenant, project) > 3_000

    assert agent.delete(url(project)).status_code == 200
    assert_succeeded(wait_for_purges(agent.tenant, timeout=120))

    assert partition_items(aws, agent.tenant, project) == []
    assert blob_keys(aws, blob_prefix(agent.tenant, project)) == []
    assert create_project(agent, project)["milestoneCount"] == 0


def test_delete_leaves_another_tenants_project_with_the_same_id_untouched(agent, caller, aws, project):
    other = caller(roles=("agent", "admin"))
    create_project(other, project, name="Theirs")
    theirs = populate(other, project)
    populate(agent, project)
    before = (project_of(other, project), recalled(other, project, view="branch", limit=100),
              recalled(other, project, view="log"), recalled(other, project, view="metadata", segment="seg"))
    their_items = partition_items(aws, other.tenant, project)
    their_blobs = blob_keys(aws, blob_prefix(other.tenant, project))

    assert agent.delete(url(project)).status_code == 200
    assert_succeeded(wait_for_purges(agent.tenant))

    assert partition_items(aws, agent.tenant, project) == []
    assert partition_items(aws, other.tenant, project) == their_items
    assert blob_keys(aws, blob_prefix(other.tenant, project)) == their_blobs
    after = (project_of(other, project), recalled(other, project, view="branch", limit=100),
             recalled(other, project, view="log"), recalled(other, project, view="metadata", segment="seg"))
    assert after == before
    assert recalled(other, project, view="milestone", milestoneId=theirs["milestoneId"])["milestones"]


def test_purge_never_reaches_blobs_of_a_tenant_whose_id_extends_the_prefix(caller, aws, tenant):
    plain = caller(tenant, roles=("agent", "admin"))
    nested = caller(f"{tenant}/projects/y", roles=("agent",))
    create_project(plain, "y")
    create_project(nested, "z")
    stored(plain, "y", "mine", cumulativeProgress=BIG)
    kept = stored(nested, "z", "kept", cumulativeProgress=BIG)

    assert plain.delete(url("y")).status_code == 200
    assert_succeeded(wait_for_purges(tenant))

    [milestone_] = recalled(nested, "z", view="milestone", milestoneId=kept["milestoneId"])["milestones"]
    assert milestone_["cumulativeProgress"] == BIG
    assert blob_keys(aws, blob_prefix(tenant, "y")) == []


def test_deleting_a_missing_project_is_404_and_starts_nothing(agent):
    assert_error(agent.delete(url("ghost")), 404, code="not_found")
    assert purge_executions(agent.tenant) == []


def test_recreating_a_project_while_its_purge_runs_is_a_200_with_an_empty_project(agent, aws, project):
    """Until generations (docs/memory-model.md, "Delete and recreate"), this was a 409 "still being deleted"."""
    from cairn.memory.service import projects
    from cairn.memory.store import purge

    old = stored(agent, project, "old")
    projects.mark_deleting(agent.tenant, project)  # DELETE's first step, with the purge still to run

    again = agent.post(PROJECTS, json={"projectId": project, "name": "Again", "roadmap": ""})
    assert again.status_code == 200, again.text
    assert again.json()["milestoneCount"] == 0
    assert again.json()["activeBranches"] == ["main"]
    assert [p["projectId"] for p in agent.get(PROJECTS).json()["projects"]] == [project]
    assert_error(recall(agent, project, view="milestone", milestoneId=old["milestoneId"]), 404)
    assert recalled(agent, project, view="branch")["page"]["total"] == 0
    # A DELETE cut short after its first step left the old branch items: the recreate removed them, so no
    # reader still addressing the old generation finds a head there.
    left = {item["SK"] for item in partition_items(aws, agent.tenant, project)}
    assert not left & {"PROJECT#BRANCH#main", "MS#main", "LOG#main"}

    while not purge.purge_page(agent.tenant, project)["done"]:
        pass
    assert project_of(agent, project)["name"] == "Again"
    assert stored(agent, project, "old")["sequenceNumber"] == 1
