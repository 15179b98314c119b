"""Project indexes over HTTP: upsert and query by path and content hash, counts, bounds, and the permit's
project binding; hash reuse is one index query, whatever the index holds."""

from __future__ import annotations

from typing import Any

import pytest

from cairn_local.bench.recording import Recorder
from tests.tasks_helpers import PermitCaller

A, B, C = "a" * 64, "b" * 64, "c" * 64


def _url(project: str, action: str) -> str:
    return f"/v1/projects/{project}/indexes/{action}"


def _upsert(caller: PermitCaller, project: str = "AUTH", **body: Any) -> dict[str, Any]:
    response = caller.post(_url(project, "upsert"), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _query(caller: PermitCaller, items: list[dict[str, str]], project: str = "AUTH") -> dict[str, Any]:
    response = caller.post(_url(project, "query"), json={"items": items})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_empty_index_matches_nothing(task_caller):
    assert _query(task_caller(), [{"path": "src/auth.ts", "hash": A}]) == {"ok": True, "updatedAt": None,
                                                                          "matches": {}}


def test_query_answers_same_path_and_hash_reused_matches_and_leaves_out_misses(task_caller):
    caller = task_caller()
    entry = {"hash": A, "updatedAt": 1710000000000, "short": "Authentication helper", "detailed": "Longer",
             "important_symbols": ["AuthGuard"], "dependencies": ["src/session.ts"], "exports": ["AuthGuard"]}
    upserted = _upsert(caller, entries={"src/auth.ts": entry, "src/util.ts": {"hash": B}})

    answer = _query(caller, [{"path": "src/auth.ts", "hash": A}, {"path": "lib/copy.ts", "hash": B.upper()},
                             {"path": "src/util.ts", "hash": C}, {"path": "src/new.ts", "hash": C}])

    assert answer["updatedAt"] == upserted["updatedAt"]
    assert answer["matches"] == {
        "src/auth.ts": {"pathMatched": True, "hashMatchedPath": "src/auth.ts", "entry": entry},
        "lib/copy.ts": {"pathMatched": False, "hashMatchedPath": "src/util.ts",
                        "entry": {"hash": B, "updatedAt": upserted["updatedAt"]}},
    }


def test_upsert_counts_written_and_deleted_entries_and_the_total(task_caller):
    caller = task_caller()
    first = _upsert(caller, entries={"a.ts": {"hash": A}, "b.ts": {"hash": B}, "c.ts": {"hash": C}})
    assert (first["upserted"], first["deleted"], first["totalFiles"]) == (3, 0, 3)

    second = _upsert(caller, entries={"a.ts": {"hash": B}, "d.ts": {"hash": A}}, deletePaths=["b.ts", "gone.ts"])

    assert (second["upserted"], second["deleted"], second["totalFiles"]) == (2, 1, 3)
    matches = _query(caller, [{"path": "b.ts", "hash": B}, {"path": "x.ts", "hash": A}])["matches"]
    assert matches["b.ts"]["hashMatchedPath"] == "a.ts"  # b.ts is gone; a.ts now has b's content
    assert matches["x.ts"]["hashMatchedPath"] == "d.ts"  # a.ts's old hash no longer points at it


def test_hash_reuse_is_one_index_query_whatever_the_index_holds(task_caller, aws):
    caller = task_caller()
    for batch in range(3):
        _upsert(caller, entries={f"src/{batch}/{n}.ts": {"hash": f"{batch:02d}{n:062d}"} for n in range(50)})
    recorder = Recorder()
    recorder.install()

    matches = _query(caller, [{"path": "elsewhere.ts", "hash": f"{2:02d}{7:062d}"}])["matches"]

    calls = recorder.take()
    assert matches["elsewhere.ts"]["hashMatchedPath"] == "src/2/7.ts"
    assert calls.dynamodb["Query"] == 1
    assert calls.scanned == 1
    assert calls.dynamodb["Scan"] == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"items": [{"path": "a.ts", "hash": "abc"}]}, "items[0].hash"),
    ({"items": [{"path": "a.ts", "hash": "g" * 64}]}, "items[0].hash"),
    ({"items": [{"path": "", "hash": A}]}, "items[0].path"),
    ({"items": [{"path": "a.ts", "hash": A}, {"path": "a.ts", "hash": B}]}, "items[1].path"),
    ({"items": [{"path": f"{n}.ts", "hash": A} for n in range(101)]}, "items"),
])
def test_query_refuses_bad_items_naming_them(task_caller, body, field):
    response = task_caller().post(_url("AUTH", "query"), json=body)

    assert response.status_code == 400
    assert field in str(response.json())


@pytest.mark.parametrize(("body", "field"), [
    ({"entries": {"a.ts": {"hash": "xyz"}}}, "entries.a.ts.hash"),
    ({"entries": {"a.ts": {"hash": A, "short": "s" * 1001}}}, "entries.a.ts.short"),
    ({"entries": {f"{n}.ts": {"hash": A} for n in range(51)}}, "entries"),
    ({"deletePaths": [f"{n}.ts" for n in range(50)]}, "deletePaths"),
    ({"entries": {"a.ts": {"hash": A}}, "deletePaths": ["a.ts"]}, "deletePaths"),
])
def test_upsert_refuses_bad_or_oversized_batches_and_writes_nothing(task_caller, body, field):
    caller = task_caller()
    response = caller.post(_url("AUTH", "upsert"), json=body)

    assert response.status_code == 400
    assert field in str(response.json())
    assert _upsert(caller)["totalFiles"] == 0


def test_index_routes_reject_a_permit_of_another_project(task_caller):
    caller = task_caller(project="AUTH")

    for action, body in (("query", {"items": []}), ("upsert", {"entries": {}})):
        assert caller.post(_url("BILL", action), json=body).status_code == 403


def test_another_installation_sees_nothing_of_the_same_projects_index(task_caller):
    owner = task_caller(project="AUTH")
    _upsert(owner, entries={"a.ts": {"hash": A}})
    stranger = task_caller(project="AUTH")

    assert _query(stranger, [{"path": "a.ts", "hash": A}])["matches"] == {}
    assert _upsert(stranger)["totalFiles"] == 0
