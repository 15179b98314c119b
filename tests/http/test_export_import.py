"""Export and import jobs through the gateway, run by their state machines in moto's Step Functions with the real
worker: the round trip (every recall view and a search of the copy answer as the original's, the project id
mapped), a bad line, a re-run, the upload path through the local S3 and EventBridge, roles and refusals."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from cairn.aws.keys import ProjectRef, blob_prefix
from cairn.aws.table import table
from tests.http.helpers import (
    assert_error,
    create_branch,
    create_project,
    logged,
    merge_body,
    ok,
    recalled,
    stored,
    url,
)
from tests.http.job_helpers import accepted, export, import_, key, settled
from tests.http.sync_helpers import add_source, connect

BIG = "é" * 40_000  # 80 KB of UTF-8, over the 64 KiB inline limit: the milestone's texts live in S3


def rich_project(caller: Any) -> str:
    """A small project holding every kind of item an export carries."""
    project = create_project(caller)["projectId"]
    stored(caller, project, 1, thisContribution="zebra cache warmed")
    stored(caller, project, "big", cumulativeProgress=BIG, thisContribution="zebra blob stored")
    create_branch(caller, project, "side")
    stored(caller, project, "s1", branchName="side", thisContribution="zebra side work")
    ok(caller.post(url(project, "/merge"), json=merge_body("side")))
    logged(caller, project, "first")
    logged(caller, project, "second", phase="thought")
    ok(caller.put(url(project, "/metadata/notes"), json={"owner": "zed", "tags": ["a", "b"]}))
    ok(caller.post(url(project, "/metrics"), json={
        "sessionId": "s-1", "agentId": "agent-1", "milestonesRecalled": 2, "toolCallsTotal": 5,
        "sessionDurationSecs": 60, "startedAt": "2026-02-10T14:00:00Z", "endedAt": "2026-02-10T14:01:00Z"}))
    ok(caller.post(url(project, "/promote"), json={
        "cacheKey": "zebra-key", "reuseScore": 0.9, "summary": "zebra knowledge worth keeping",
        "l2Collection": "default"}))
    connect(caller.tenant, "github", "https://api.github.example", "ghp-secret-token")
    add_source(caller.tenant, project, f"src-{project}", "github", {"repository": "acme/api"})
    return project


def views(caller: Any, project: str) -> dict[str, Any]:
    """Every recall view (docs/memory-model.md, docs/agents.md), the metrics summary and a search."""
    main = recalled(caller, project, view="branch", branch="main", limit=100)
    answers = {
        "overview": recalled(caller, project),
        "main": main,
        "side": recalled(caller, project, view="branch", branch="side", limit=100),
        "log": recalled(caller, project, view="log", limit=100),
        "metadata": recalled(caller, project, view="metadata", segment="notes"),
        "brief": recalled(caller, project, view="brief", branch="main"),
        "metrics": ok(caller.get(url(project, "/metrics/summary"))),
        "search": ok(caller.post(url(project, "/search"), json={"query": "zebra"})),
    }
    for milestone in main["milestones"]:
        answers[milestone["milestoneId"]] = recalled(caller, project, view="milestone",
                                                     milestoneId=milestone["milestoneId"])
    return answers


def test_an_exported_project_imported_under_a_new_id_answers_every_view_as_the_original(
        caller: Callable[..., Any]) -> None:
    admin = caller(roles=("data_admin", "agent"))
    original = rich_project(admin)
    copy = f"c-{uuid.uuid4().hex[:8]}"  # as long as the original's: the brief's token estimate counts it

    exported = settled(admin, accepted(export(admin, [original]))["id"])
    imported = settled(admin, accepted(import_(admin, {original: copy}, fromJobId=exported["id"]))["id"])

    assert (exported["status"], imported["status"]) == ("succeeded", "succeeded"), imported
    artifact = requests.get(exported["artifactUrl"], timeout=10)
    assert artifact.status_code == 200
    lines = [json.loads(line) for line in artifact.content.splitlines()]
    assert lines[0] == {"entity": "project-export", "projectId": original}
    [source] = [line for line in lines if line["entity"] == "source"]  # its project's source, after its records
    assert (source["sourceId"], source["connection"], source["config"]) == (
        f"src-{original}", "github", {"repository": "acme/api"})
    assert "ghp-secret-token" not in artifact.text  # the connection by its id, never its secret
    assert [s["sourceId"] for s in ok(admin.get("/api/v1/memory/sources"))["sources"]] == [f"src-{original}"]
    before = json.dumps(views(admin, original), sort_keys=True)
    after = json.dumps(views(admin, copy), sort_keys=True)
    assert after == before.replace(original, copy)
    listed = [project["projectId"] for project in ok(admin.get("/api/v1/memory/projects"))["projects"]]
    assert sorted(listed) == sorted([original, copy])
    topics = [(event["topic"], event["detail"]) for event in ok(admin.get("/api/v1/events/outbox"))["data"]]
    assert ("job.completed", {"jobId": imported["id"], "kind": "import"}) in topics
    assert ("job.completed", {"jobId": exported["id"], "kind": "export"}) in topics


def test_exporting_every_project_by_default_and_a_viewer_may_not(caller: Callable[..., Any]) -> None:
    admin = caller(roles=("admin",))
    first, second = create_project(admin)["projectId"], create_project(admin)["projectId"]
    viewer = caller(tenant=admin.tenant, roles=("viewer", "agent"))

    job = settled(admin, accepted(export(admin))["id"])

    assert sorted(job["projectIds"]) == sorted([first, second])
    assert job["status"] == "succeeded"
    assert_error(export(viewer), 403, code="forbidden")
    assert_error(import_(viewer, {first: "x-1"}, fromJobId=job["id"]), 403, code="forbidden")


def test_both_routes_require_an_idempotency_key_and_replay_it(caller: Callable[..., Any]) -> None:
    admin = caller(roles=("admin",))
    project = create_project(admin)["projectId"]

    assert_error(admin.post("/api/v1/exports", json={}), 400, field="Idempotency-Key")
    assert_error(admin.post("/api/v1/imports", json={"projectIdMap": {project: "x"}, "upload": True}), 400,
                 field="Idempotency-Key")
    headers = key()
    first = admin.post("/api/v1/exports", json={"projectIds": [project]}, headers=headers)
    again = admin.post("/api/v1/exports", json={"projectIds": [project]}, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"


def test_refusals_name_the_field(caller: Callable[..., Any]) -> None:
    admin, other = caller(roles=("admin",)), caller(roles=("admin",))
    project = create_project(admin)["projectId"]
    taken = create_project(admin)["projectId"]
    theirs = create_project(other)["projectId"]
    job = settled(admin, accepted(export(admin, [project]))["id"])

    missing = assert_error(export(admin, [project, theirs]), 404, field="projectIds")
    assert theirs in missing["message"]
    exists = assert_error(import_(admin, {project: taken}, fromJobId=job["id"]), 409, field="projectIdMap")
    assert taken in exists["message"]
    assert_error(import_(other, {project: "new-1"}, fromJobId=job["id"]), 404, field="fromJobId")
    assert_error(import_(admin, {theirs: "new-2"}, fromJobId=job["id"]), 400, field="projectIdMap")
    assert_error(import_(admin, {project: "new-3"}), 400)  # neither an upload nor a job
    assert_error(import_(admin, {project: "new-4"}, upload=True, fromJobId=job["id"]), 400)
    assert_error(import_(admin, {project: "bad#id"}, upload=True), 400)
    assert_error(other.get(f"/api/v1/jobs/{job['id']}"), 404)


def test_an_import_into_a_project_of_its_own_answers_409_and_creates_nothing_twice(
        caller: Callable[..., Any]) -> None:
    admin = caller(roles=("admin",))
    project = create_project(admin)["projectId"]
    stored(admin, project, 1)
    job = settled(admin, accepted(export(admin, [project]))["id"])
    first = settled(admin, accepted(import_(admin, {project: f"{project}-copy"}, fromJobId=job["id"]))["id"])

    again = import_(admin, {project: f"{project}-copy"}, fromJobId=job["id"])

    assert first["status"] == "succeeded"
    assert_error(again, 409, field="projectIdMap")
    copy = recalled(admin, f"{project}-copy", view="branch", branch="main")
    assert [m["sequenceNumber"] for m in copy["milestones"]] == [1]


def upload(caller: Any, project_id_map: dict[str, str], body: bytes, event_bus: Any) -> dict[str, Any]:
    """An import by upload: the job, the file PUT to its presigned URL, the bucket's event delivered."""
    job = accepted(import_(caller, project_id_map, upload=True))
    assert job["status"] == "queued"
    assert requests.put(job["uploadUrl"], data=body, timeout=10).status_code == 200
    event_bus.drain()
    return settled(caller, job["id"])


def test_an_uploaded_file_starts_its_import_through_the_bucket_event(caller: Callable[..., Any],
                                                                      event_bus: Any) -> None:
    admin = caller(roles=("admin",))
    project = create_project(admin)["projectId"]
    stored(admin, project, 1, thisContribution="zebra uploaded")
    exported = settled(admin, accepted(export(admin, [project]))["id"])
    lines = requests.get(exported["artifactUrl"], timeout=10).content.splitlines(keepends=True)
    body = b"".join([*lines[:2], lines[1], *lines[2:]])  # a record repeated: written once

    job = upload(admin, {project: f"{project}-up"}, body, event_bus)

    assert job["status"] == "succeeded", job
    copy = recalled(admin, f"{project}-up", view="branch", branch="main")
    assert [m["thisContribution"] for m in copy["milestones"]] == ["zebra uploaded"]


def test_a_bad_line_fails_the_import_naming_it_and_leaves_no_project(caller: Callable[..., Any],
                                                                     event_bus: Any) -> None:
    admin = caller(roles=("admin",))
    project = create_project(admin)["projectId"]
    for tag in range(3):
        stored(admin, project, tag)
    exported = settled(admin, accepted(export(admin, [project]))["id"])
    lines = requests.get(exported["artifactUrl"], timeout=10).content.splitlines(keepends=True)
    broken = b"".join([*lines[:5], b"{not json\n", *lines[5:]])
    target = f"{project}-bad"

    job = upload(admin, {project: target}, broken, event_bus)

    assert (job["status"], job["errorCode"]) == ("failed", "import_bad_line")
    assert job["errorMessage"].startswith("line 6:")
    assert_error(admin.get(url(target)), 404)
    assert target not in [p["projectId"] for p in ok(admin.get("/api/v1/memory/projects"))["projects"]]
    failures = ok(admin.get("/api/v1/agent-runtime/failures"))["data"]
    assert job["id"] in json.dumps(failures)


@pytest.mark.parametrize("body", [b"", b'{"entity": "project-export", "projectId": "elsewhere"}\n'])
def test_a_file_without_the_mapped_project_fails_the_import(caller: Callable[..., Any], event_bus: Any,
                                                            body: bytes) -> None:
    admin = caller(roles=("admin",))

    job = upload(admin, {"p-old": f"p-{uuid.uuid4().hex[:6]}"}, body, event_bus)

    assert (job["status"], job["errorCode"]) == ("failed", "import_project_missing")



def test_a_recreated_project_is_imported_as_a_first_generation_with_its_texts(caller: Callable[..., Any]) -> None:
    admin = caller(roles=("admin", "agent"))
    project = create_project(admin)["projectId"]
    assert admin.delete(url(project), headers=key()).status_code == 200
    create_project(admin, project)  # generation 1: its own partition and blob prefix
    stored(admin, project, "big", cumulativeProgress=BIG, thisContribution="zebra regenerated")
    job = settled(admin, accepted(export(admin, [project]))["id"])
    copy = f"{project}-g"

    imported = settled(admin, accepted(import_(admin, {project: copy}, fromJobId=job["id"]))["id"])

    assert imported["status"] == "succeeded", imported
    [milestone] = recalled(admin, copy, view="branch", branch="main")["milestones"]
    assert (milestone["cumulativeProgress"], milestone["projectId"]) == (BIG, copy)
    held = {item.get("blobKey") for item in table().query_all(ProjectRef(admin.tenant, copy).pk, sk_prefix="MS")}
    assert held - {None} == {f"{blob_prefix(admin.tenant, copy)}milestones/{milestone['milestoneId']}.json"}
