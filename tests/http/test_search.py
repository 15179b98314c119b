"""Search, per project and across the tenant: shape, limits, tenancy, ranking, freshness (searchable as
soon as the store returns), compaction (same answers before and after), deduplication, deletion."""

from __future__ import annotations

import os

import boto3
import pytest

from cairn.aws.keys import blob_prefix
from cairn.memory.service import projects
from cairn.search.store import index as search_index
from cairn_local.streams import StreamPoller
from tests.http.helpers import (
    assert_error,
    create_branch,
    create_project,
    merge_body,
    ok,
    stored,
    url,
    wait_for_purges,
)

SEARCH = "/api/v1/memory/search"
MILESTONE_FIELDS = {"milestoneId", "projectId", "branchName", "branchPurpose", "cumulativeProgress",
                    "thisContribution", "contentHash", "sequenceNumber", "agentId", "agentType", "createdAt"}


@pytest.fixture
def indexer(aws):
    """The table's stream delivered to the search indexer, as Lambda would (drain() on demand)."""
    return StreamPoller(os.environ["CAIRN_TABLE_NAME"])


def note(caller, project, contribution, *, purpose="Core work", progress="", **overrides):
    return stored(caller, project, branchPurpose=purpose, cumulativeProgress=progress,
                  thisContribution=contribution, **overrides)


def search(caller, project, query, **body):
    return ok(caller.post(url(project, "/search"), json={"query": query, **body}))


def search_all(caller, query, **body):
    return ok(caller.post(SEARCH, json={"query": query, **body}))


def ids(body):
    return [m["milestoneId"] for m in body["milestones"]]


def pending(tenant):
    return list(search_index.pending_items(tenant))


# --- shape and freshness -------------------------------------------------------------------------------------


def test_project_search_returns_the_matching_milestones_in_the_specs_shape(agent, project):
    auth = note(agent, project, "Implemented JWT authentication middleware", purpose="Implement JWT authentication")
    note(agent, project, "Added cache hit metrics", purpose="Core cache")

    body = search(agent, project, "authentication", limit=10)

    assert set(body) == {"milestones", "query", "count"}
    assert body["query"] == "authentication"
    assert body["count"] == 1
    [found] = body["milestones"]
    assert set(found) == MILESTONE_FIELDS
    assert found == auth  # exactly what the store returned (and recall returns)


def test_tenant_search_has_the_same_shape(agent, project):
    stored_ = note(agent, project, "Rate limiting with a token bucket")

    body = search_all(agent, "rate limiting implementation", limit=20)

    assert body == {"milestones": [stored_], "query": "rate limiting implementation", "count": 1}


def test_every_milestone_is_searchable_as_soon_as_the_store_returns(agent, project):
    for n in range(6):
        created = note(agent, project, f"Wrote migration number{n} for the orders table")
        assert ids(search(agent, project, f"number{n}")) == [created["milestoneId"]]
        assert ids(search_all(agent, f"number{n}")) == [created["milestoneId"]]


def test_no_match_and_stop_words_only_give_an_empty_list(agent, project):
    note(agent, project, "Added the Redis cache")

    assert search(agent, project, "kubernetes") == {"milestones": [], "query": "kubernetes", "count": 0}
    assert search(agent, project, "the and of")["milestones"] == []
    assert search_all(agent, "!!! ...")["count"] == 0


def test_stemming_and_case_folding_match_word_forms(agent, project):
    created = note(agent, project, "Caching the AUTHENTICATED sessions")

    for query in ("cache", "cached sessions", "authentication", "Session"):
        assert ids(search(agent, project, query)) == [created["milestoneId"]], query


def test_all_three_parts_are_searched(agent, project):
    created = note(agent, project, "contributionword", purpose="purposeword", progress="progressword")

    for query in ("purposeword", "progressword", "contributionword"):
        assert ids(search(agent, project, query)) == [created["milestoneId"]], query


def test_large_offloaded_milestones_are_indexed_and_returned_whole(agent, aws, project):
    big = "zeppelin " + "é" * 40_000  # over the inline limit: the texts live in S3
    created = note(agent, project, "Stored a large design document", progress=big)

    [found] = search(agent, project, "zeppelin")["milestones"]

    assert found == created
    assert found["cumulativeProgress"] == big


def test_merge_milestones_are_searchable(agent, project):
    create_branch(agent, project, "feature-auth")
    note(agent, project, "Token exchange endpoint", branchName="feature-auth")
    merged = agent.post(url(project, "/merge"), json=merge_body("feature-auth", mergeSummary="Shipped the quokka flow"))
    assert merged.status_code == 200, merged.text

    assert ids(search(agent, project, "quokka")) == [merged.json()["mergeMilestoneId"]]


# --- ranking -------------------------------------------------------------------------------------------------


def test_more_occurrences_and_rarer_terms_rank_higher(agent, project):
    once = note(agent, project, "Tuned the latency budget of the ingest path")
    twice = note(agent, project, "Latency alerts on ingest latency")
    for n in range(5):
        note(agent, project, f"Refactored ingest module {n}")

    assert ids(search(agent, project, "latency"))[:2] == [twice["milestoneId"], once["milestoneId"]]
    # "budget" is rarer than "ingest": the milestone with both comes first, then the other "ingest" ones
    assert ids(search(agent, project, "ingest budget"))[0] == once["milestoneId"]


def test_equal_scores_are_ordered_newest_first(agent, project):
    first = note(agent, project, "kestrel alpha")
    second = note(agent, project, "kestrel gamma")
    third = note(agent, project, "kestrel delta")

    assert ids(search(agent, project, "kestrel")) == [third["milestoneId"], second["milestoneId"], first["milestoneId"]]


def test_limit_keeps_the_best(agent, project):
    made = [note(agent, project, f"osprey task {n}") for n in range(5)]

    body = search(agent, project, "osprey", limit=2)

    assert body["count"] == 2
    assert ids(body) == [made[4]["milestoneId"], made[3]["milestoneId"]]
    assert len(search(agent, project, "osprey")["milestones"]) == 5  # default 20


def test_cross_project_ranks_over_the_union_and_filters_by_project_ids(agent):
    create_project(agent, "alpha")
    create_project(agent, "beta")
    create_project(agent, "gamma")
    a = note(agent, "alpha", "pelican pipeline")
    b = note(agent, "beta", "pelican pelican deploys")
    note(agent, "gamma", "pelican notes")

    assert ids(search_all(agent, "pelican"))[0] == b["milestoneId"]
    assert len(search_all(agent, "pelican")["milestones"]) == 3
    assert ids(search_all(agent, "pelican", projectIds=["alpha"])) == [a["milestoneId"]]
    assert set(ids(search_all(agent, "pelican", projectIds=["alpha", "beta", "alpha"]))) == {a["milestoneId"],
                                                                                           b["milestoneId"]}
    assert search_all(agent, "pelican", projectIds=[])["milestones"] == []
    assert search_all(agent, "pelican", projectIds=["nope"])["milestones"] == []


# --- validation and access -----------------------------------------------------------------------------------


def test_query_length_boundaries(agent, project, subtests):
    for path in (url(project, "/search"), SEARCH):
        with subtests.test(path=path):
            assert agent.post(path, json={"query": "q"}).status_code == 200
            assert agent.post(path, json={"query": "q" * 500}).status_code == 200
            assert_error(agent.post(path, json={"query": ""}), 400, code="invalid_input", field="query")
            assert_error(agent.post(path, json={"query": "q" * 501}), 400, code="invalid_input", field="query")
            assert_error(agent.post(path, json={}), 400, code="invalid_input", field="query")
            assert_error(agent.post(path, json={"query": 5}), 400, code="invalid_input", field="query")


def test_limit_boundaries(agent, project, subtests):
    for path, maximum in ((url(project, "/search"), 100), (SEARCH, 200)):
        with subtests.test(path=path):
            for good in (1, maximum):
                assert agent.post(path, json={"query": "q", "limit": good}).status_code == 200
            for bad in (0, -1, maximum + 1, "many"):
                assert_error(agent.post(path, json={"query": "q", "limit": bad}), 400, code="invalid_input",
                             field="limit")


def test_project_ids_must_be_a_list_of_project_ids(agent):
    for bad in ("alpha", [""], ["has space"], [1]):
        assert_error(agent.post(SEARCH, json={"query": "q", "projectIds": bad}), 400, code="invalid_input")


def test_an_unknown_project_is_404(agent):
    assert_error(agent.post(url("ghost", "/search"), json={"query": "q"}), 404, code="not_found")


def test_readers_may_search_and_a_token_is_required(agent, caller, project):
    created = note(agent, project, "heron rollout")
    viewer = caller(agent.tenant, roles=("viewer",))

    assert ids(search(viewer, project, "heron")) == [created["milestoneId"]]
    assert ids(search_all(viewer, "heron")) == [created["milestoneId"]]
    assert_error(agent.client.post(url(project, "/search"), json={"query": "heron"}), 401)
    assert_error(agent.client.post(SEARCH, json={"query": "heron"}), 401)


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_another_tenants_milestones_never_appear(agent, caller, project, indexer):
    other = caller(roles=("agent", "admin"))
    create_project(other, project)  # the same project id, another tenant
    create_project(other, "their-only")
    note(other, project, "albatross secrets")
    note(other, "their-only", "albatross plans")
    mine = note(agent, project, "albatross mine")

    for drained in (False, True):
        if drained:
            indexer.drain()
        assert ids(search(agent, project, "albatross")) == [mine["milestoneId"]]
        assert ids(search_all(agent, "albatross")) == [mine["milestoneId"]]
        assert ids(search_all(agent, "albatross", projectIds=[project, "their-only"])) == [mine["milestoneId"]]
        assert_error(agent.post(url("their-only", "/search"), json={"query": "albatross"}), 404)
        assert len(search_all(other, "albatross")["milestones"]) == 2


# --- the index -----------------------------------------------------------------------------------------------


def corpus(agent, project):
    create_branch(agent, project, "feature-cache")
    made = []
    for n in range(14):
        branch = "feature-cache" if n % 3 == 0 else "main"
        made.append(note(agent, project, f"Cache step {n}: {'redis ' * (n % 4)}eviction tuning",
                         purpose="Caching", progress=f"previous {n - 1}", branchName=branch))
    return made


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_results_are_the_same_before_and_after_compaction(agent, project, indexer):
    corpus(agent, project)
    create_project(agent, "second")
    note(agent, "second", "redis cluster failover")
    queries = ("redis", "cache eviction", "tuning step", "failover redis")
    before = [(search(agent, project, q), search_all(agent, q)) for q in queries]
    assert len(pending(agent.tenant)) == 15

    indexer.drain()

    assert pending(agent.tenant) == []
    _, manifest = search_index.project_and_manifest(agent.tenant, project)
    assert manifest["docs"] == 14
    assert [(search(agent, project, q), search_all(agent, q)) for q in queries] == before


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_documents_stored_after_compaction_join_through_the_pending_path(agent, project, indexer):
    made = corpus(agent, project)
    indexer.drain()
    later = note(agent, project, "redis redis redis redis eviction")

    assert ids(search(agent, project, "redis"))[0] == later["milestoneId"]
    assert len(pending(agent.tenant)) == 1
    before = search(agent, project, "redis eviction", limit=100)
    assert before["count"] == len(made) + 1

    indexer.drain()

    assert pending(agent.tenant) == []
    assert search(agent, project, "redis eviction", limit=100) == before


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_many_compactions_merge_segments_and_keep_the_answers(agent, project, indexer):
    answers = None
    for n in range(12):
        note(agent, project, f"Heron change {n} " + "wing " * (n % 3))
        indexer.drain()  # one segment per stored milestone
        _, manifest = search_index.project_and_manifest(agent.tenant, project)
        assert len(manifest["segments"]) <= 8 + 1
    answers = search(agent, project, "heron wing", limit=100)

    _, manifest = search_index.project_and_manifest(agent.tenant, project)
    assert manifest["docs"] == 12
    listed = {entry["key"] for entry in manifest["segments"]}
    stored_segments = set(blob_keys(agent.tenant, project, "search/"))
    assert stored_segments == listed  # merged-away segments are deleted
    assert answers["count"] == 12


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_a_deduplicated_store_is_not_indexed_twice(agent, project, indexer):
    first = note(agent, project, "Idempotent wombat import")
    again = agent.post(url(project, "/store"), json={"branchPurpose": "Core work", "cumulativeProgress": "",
                                                     "thisContribution": "Idempotent wombat import",
                                                     "agentId": "claude-code-1"})
    assert again.headers["x-cairn-deduplicated"] == "true"

    assert ids(search(agent, project, "wombat")) == [first["milestoneId"]]
    indexer.drain()
    indexer.drain()  # re-delivery is harmless
    assert ids(search(agent, project, "wombat")) == [first["milestoneId"]]
    _, manifest = search_index.project_and_manifest(agent.tenant, project)
    assert manifest["docs"] == 1


def blob_keys(tenant, project, under=""):
    bucket = os.environ["CAIRN_BUCKET_NAME"]
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=blob_prefix(tenant, project) + under)
    return [entry["Key"] for entry in listing.get("Contents", [])]


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_a_deleted_project_leaves_every_index_at_once(agent, project, indexer):
    create_project(agent, "kept")
    kept = note(agent, "kept", "narwhal survives")
    note(agent, project, "narwhal compacted")
    indexer.drain()
    note(agent, project, "narwhal pending")
    assert len(search_all(agent, "narwhal")["milestones"]) == 3

    projects.mark_deleting(agent.tenant, project)  # what DELETE does first: the window before the purge ends

    assert_error(agent.post(url(project, "/search"), json={"query": "narwhal"}), 404, code="not_found")
    assert ids(search_all(agent, "narwhal")) == [kept["milestoneId"]]
    assert ids(search_all(agent, "narwhal", projectIds=[project, "kept"])) == [kept["milestoneId"]]


@pytest.mark.fresh_table  # drains the table's stream: only this test's records
def test_deleting_a_project_purges_its_segments_manifest_and_pending_documents(agent, project, indexer):
    note(agent, project, "walrus compacted")
    indexer.drain()
    note(agent, project, "walrus pending")
    assert blob_keys(agent.tenant, project, "search/")
    assert len(pending(agent.tenant)) == 1

    assert agent.delete(url(project)).status_code == 200
    assert_error(agent.post(url(project, "/search"), json={"query": "walrus"}), 404)
    assert search_all(agent, "walrus")["milestones"] == []
    wait_for_purges(agent.tenant)
    indexer.drain()  # the indexer sees the project gone and writes nothing

    assert pending(agent.tenant) == []
    assert blob_keys(agent.tenant, project) == []
    assert search_index.project_and_manifest(agent.tenant, project) == (
        None, search_index.empty_manifest(agent.tenant, project))
    create_project(agent, project)  # the id is reusable, with an empty index
    assert search(agent, project, "walrus")["milestones"] == []


def test_hits_that_would_exceed_lambdas_payload_limit_are_left_out_best_first(agent, project):
    for n in range(24):
        note(agent, project, "🚀" * 9_980 + f" rocket {n:05d}", purpose="🧠" * 2_000,
             progress="😀" * 50_000)

    response = agent.post(url(project, "/search"), json={"query": "rocket", "limit": 24})

    assert response.status_code == 200
    assert len(response.content) < 5_500_000
    body = response.json()
    assert 0 < body["count"] < 24
    assert body["count"] == len(body["milestones"])
    assert body["milestones"][0]["cumulativeProgress"] == "😀" * 50_000
