"""Promote: long-term knowledge keyed by cacheKey, searchable, with its embedding stored apart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from cairn.aws import documents
from cairn.insights.service import knowledge
from cairn.search.service import query as search
from tests.http.helpers import assert_error, create_project, ok, project_of, url

KNOWLEDGE_ID = re.compile(r"^know-[0-9a-f]{16}$")
REQUIRED = ("cacheKey", "reuseScore", "summary", "l2Collection")


def spec_body(**overrides):
    return {"cacheKey": "cache-key-xyz", "reuseScore": 0.92,
            "summary": "Detailed explanation of Rust async/await patterns with examples", "l2Collection": "default",
            **overrides}


def promote(caller, project, body, **kwargs):
    return caller.post(url(project, "/promote"), json=body, **kwargs)


def promoted(caller, project, body):
    return ok(promote(caller, project, body))


def hits(caller, project, query):
    return [hit for hit in search.search(caller.tenant, [project], query, 5) if hit.kind == documents.KNOWLEDGE]


# --- promote and update --------------------------------------------------------------------------


def test_promote_answers_in_the_specs_shape(agent, project):
    body = promoted(agent, project, spec_body())

    assert set(body) == {"promoted", "knowledgeId", "reuseScore"}
    assert body["promoted"] is True
    assert KNOWLEDGE_ID.match(body["knowledgeId"])
    assert body["reuseScore"] == 0.92
    stored = knowledge.get(agent.tenant, project, body["knowledgeId"])
    assert stored == {"knowledgeId": body["knowledgeId"], "projectId": project, "cacheKey": "cache-key-xyz",
                      "reuseScore": 0.92, "summary": spec_body()["summary"], "l2Collection": "default",
                      "createdAt": stored["createdAt"], "updatedAt": stored["createdAt"]}


def test_promoted_knowledge_is_searchable(agent, project):
    body = promoted(agent, project, spec_body())

    (hit,) = hits(agent, project, "rust async patterns")

    assert hit.doc_id == body["knowledgeId"]
    assert hit.project_id == project
    assert hit.item["knowledgeId"] == body["knowledgeId"]
    assert hit.item["summary"] == spec_body()["summary"]
    assert hits(agent, project, "kubernetes") == []


def test_promoting_the_same_cache_key_again_updates_the_same_knowledge(agent, project, clock):
    clock.set(datetime(2026, 2, 10, 10, tzinfo=UTC))
    first = promoted(agent, project, spec_body(blobKey="responses/1.json"))
    clock.set(datetime(2026, 2, 11, 10, tzinfo=UTC))
    second = promoted(agent, project, spec_body(reuseScore=0.97, summary="Tokio runtime tuning notes",
                                                l2Collection="hot"))

    assert second == {"promoted": True, "knowledgeId": first["knowledgeId"], "reuseScore": 0.97}
    assert knowledge.list_all(agent.tenant, project) == [{
        "knowledgeId": first["knowledgeId"], "projectId": project, "cacheKey": "cache-key-xyz", "reuseScore": 0.97,
        "summary": "Tokio runtime tuning notes", "l2Collection": "hot", "createdAt": "2026-02-10T10:00:00Z",
        "updatedAt": "2026-02-11T10:00:00Z"}]  # blobKey left out this time: removed
    assert hits(agent, project, "rust async") == []
    assert [hit.doc_id for hit in hits(agent, project, "tokio tuning")] == [first["knowledgeId"]]
    assert project_of(agent, project)["updatedAt"] == "2026-02-11T10:00:00Z"


def test_different_cache_keys_are_different_knowledge(agent, project):
    first = promoted(agent, project, spec_body(cacheKey="a", summary="async rust"))
    second = promoted(agent, project, spec_body(cacheKey="b", summary="async python"))

    assert first["knowledgeId"] != second["knowledgeId"]
    assert len(knowledge.list_all(agent.tenant, project)) == 2
    assert len(hits(agent, project, "async")) == 2


def test_the_same_cache_key_in_another_project_is_separate(agent, project):
    create_project(agent, "other")
    mine = promoted(agent, project, spec_body(summary="async rust"))
    theirs = promoted(agent, "other", spec_body(summary="async python"))

    assert mine["knowledgeId"] == theirs["knowledgeId"]  # derived from the cache key, scoped by project
    assert [h.item["summary"] for h in hits(agent, project, "async")] == ["async rust"]
    assert [h.item["summary"] for h in hits(agent, "other", "async")] == ["async python"]


def test_a_knowledge_id_collision_is_refused_not_overwritten(agent, project, monkeypatch):
    monkeypatch.setattr("cairn.insights.store.knowledge.knowledge_id", lambda cache_key: "know-0000000000000000")
    promoted(agent, project, spec_body(cacheKey="one"))

    assert_error(promote(agent, project, spec_body(cacheKey="two")), 409, code="conflict", field="cacheKey")
    assert knowledge.get(agent.tenant, project, "know-0000000000000000")["cacheKey"] == "one"


def test_blob_key_is_kept(agent, project):
    body = promoted(agent, project, spec_body(blobKey="s3://cache/responses/xyz.json"))
    assert knowledge.get(agent.tenant, project, body["knowledgeId"])["blobKey"] == "s3://cache/responses/xyz.json"


def test_the_embedding_is_stored_compactly_and_replaced(agent, project):
    vector = [0.5, -1.25, 3.0, 0.0]
    body = promoted(agent, project, spec_body(summaryEmbedding=vector))

    assert "summaryEmbedding" not in body
    assert knowledge.embedding(agent.tenant, project, body["knowledgeId"]) == vector
    assert knowledge.get(agent.tenant, project, body["knowledgeId"])["embeddingDimensions"] == 4
    assert "vector" not in hits(agent, project, "rust")[0].item

    promoted(agent, project, spec_body())

    assert knowledge.embedding(agent.tenant, project, body["knowledgeId"]) is None
    assert "embeddingDimensions" not in knowledge.get(agent.tenant, project, body["knowledgeId"])


def test_embedding_values_keep_float32_precision(agent, project):
    body = promoted(agent, project, spec_body(summaryEmbedding=[0.1, 1e-3, -2.5e38]))
    stored = knowledge.embedding(agent.tenant, project, body["knowledgeId"])
    assert stored == pytest.approx([0.1, 1e-3, -2.5e38], rel=1e-6)


# --- validation ----------------------------------------------------------------------------------


def test_each_required_field_is_required(agent, project, subtests):
    for field in REQUIRED:
        with subtests.test(missing=field):
            body = spec_body()
            del body[field]
            assert_error(promote(agent, project, body), 400, code="invalid_input", field=field)
    assert knowledge.list_all(agent.tenant, project) == []


def test_string_limits(agent, project, subtests):
    for field, limit in (("cacheKey", 512), ("summary", 10_000), ("l2Collection", 256), ("blobKey", 1024)):
        with subtests.test(field=field):
            assert promote(agent, project, spec_body(**{field: "x" * limit})).status_code == 200
            assert_error(promote(agent, project, spec_body(**{field: "x" * (limit + 1)})), 400, field=field)
            assert_error(promote(agent, project, spec_body(**{field: ""})), 400, field=field)


def test_reuse_score_is_a_number_from_0_to_1(agent, project, subtests):
    for good in (0, 0.0, 1, 1.0, 0.5):
        with subtests.test(reuseScore=good):
            assert promoted(agent, project, spec_body(reuseScore=good))["reuseScore"] == good
    for bad in (-0.0001, 1.0001, "0.5", True, None, [0.5]):
        with subtests.test(reuseScore=bad):
            assert_error(promote(agent, project, spec_body(reuseScore=bad)), 400, field="reuseScore")


def test_embedding_bounds(agent, project, subtests):
    assert promote(agent, project, spec_body(summaryEmbedding=[0.25] * 4096)).status_code == 200
    for bad, field in (([0.25] * 4097, "summaryEmbedding"), ([], "summaryEmbedding"), ("0.1", "summaryEmbedding"),
                       (["0.1"], "summaryEmbedding.0"), ([True], "summaryEmbedding.0"),
                       ([0.0, 1e39], "summaryEmbedding.1")):
        with subtests.test(value=str(bad)[:20]):
            assert_error(promote(agent, project, spec_body(summaryEmbedding=bad)), 400, field=field)


def test_non_finite_numbers_are_rejected(agent, project, subtests):
    base = '"cacheKey": "k", "summary": "s", "l2Collection": "default"'
    for extra, field in (('"reuseScore": NaN', "reuseScore"),
                         ('"reuseScore": 0.5, "summaryEmbedding": [1.0, Infinity]', "summaryEmbedding.1")):
        with subtests.test(field=field):
            response = agent.request("POST", url(project, "/promote"), content=f"{{{base}, {extra}}}",
                                     headers={"content-type": "application/json"})
            assert_error(response, 400, field=field)


# --- project, roles, tenancy, idempotency --------------------------------------------------------


def test_missing_deleted_or_foreign_project_is_404(agent, caller, project):
    assert_error(promote(agent, "ghost", spec_body()), 404, code="not_found")
    stranger = caller(roles=("agent", "admin"))
    assert_error(promote(stranger, project, spec_body()), 404, code="not_found")
    promoted(agent, project, spec_body())

    assert agent.delete(url(project)).status_code == 200

    assert_error(promote(agent, project, spec_body()), 404, code="not_found")
    assert hits(agent, project, "rust async") == []


def test_viewer_cannot_promote(agent, caller, project):
    viewer = caller(agent.tenant, roles=("viewer",))
    assert_error(promote(viewer, project, spec_body()), 403, code="forbidden")
    assert knowledge.list_all(agent.tenant, project) == []


def test_idempotency_key_replays_the_promotion(agent, project):
    headers = {"Idempotency-Key": "promote-1"}
    first = promote(agent, project, spec_body(), headers=headers)
    again = promote(agent, project, spec_body(), headers=headers)

    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert_error(promote(agent, project, spec_body(reuseScore=0.1), headers=headers), 422,
                 code="idempotency_key_reused")
