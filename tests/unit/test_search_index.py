"""The search index through the store layer: the reusable ``search()`` API (knowledge documents, filters),
compaction's idempotence and conditions, manifest concurrency, merging, and the indexer handler."""

from __future__ import annotations

import os
import time

import pytest

from cairn.aws import documents
from cairn.aws.keys import project_pk
from cairn.aws.table import table
from cairn.insights.store.knowledge import to_wire as knowledge_wire
from cairn.memory.service import milestones, projects
from cairn.memory.store.keys import milestone_id_sk
from cairn.search.service import compaction as search_compaction
from cairn.search.service import milestones as milestone_search
from cairn.search.service import query as search
from cairn.search.store import index as search_index
from cairn_local import handlers
from cairn_local.streams import StreamPoller, StreamSource, stream_sources

# A fixed tenant, and the stream poller reads the whole table: storage no other test wrote to.
pytestmark = pytest.mark.fresh_table

TENANT = "tenant-index"
PROJECT = "synapse-backend"


@pytest.fixture
def project(aws):
    projects.create(TENANT, PROJECT, "Synapse", "")
    return PROJECT


def store(contribution: str, *, project: str = PROJECT, agent: str = "agent-1", tenant: str = TENANT) -> dict:
    stored, _ = milestones.store(tenant, project, "main", {
        "branchPurpose": "Work", "cumulativeProgress": "", "thisContribution": contribution, "agentId": agent,
        "agentType": "custom"})
    return stored


def promote(knowledge_id: str, summary: str, *, created_at: str = "2026-02-01T00:00:00Z",
            project: str = PROJECT) -> dict:
    """What the promote route stores: a KNOW# item made a search document by document_attributes."""
    item = {"PK": project_pk(TENANT, project), "SK": f"KNOW#{knowledge_id}", "entity": "knowledge",
            "knowledgeId": knowledge_id, "projectId": project, "cacheKey": f"key-{knowledge_id}", "summary": summary,
            "reuseScore": 0.5, "createdAt": created_at,
            **documents.document_attributes(TENANT, project, "knowledge", knowledge_id, summary, created_at)}
    table().put(item)
    return item


def compact(project: str = PROJECT, **options) -> search_compaction.Compaction:
    return search_compaction.compact(TENANT, project, **options)


def manifest(project: str = PROJECT) -> dict:
    return search_index.project_and_manifest(TENANT, project)[1]


def hits(query: str, project_ids: list[str] | None = None, **filters) -> list[tuple[str, str]]:
    return [(hit.kind, hit.doc_id) for hit in search.search(TENANT, project_ids, query, 50, **filters)]


# --- the reusable API -----------------------------------------------------------------------------------------


def test_document_attributes_make_any_item_a_pending_search_document():
    attributes = documents.document_attributes("acme#1", "p#x", "knowledge", "k-1", "Caching the cache",
                                            "2026-01-01T00:00:00Z")

    assert attributes == {"terms": "cach:2", "termCount": 2, "searchKind": "knowledge",
                          "searchRev": attributes["searchRev"], "GSI3PK": "T#acme%231#UNINDEXED",
                          "GSI3SK": "p%23x#2026-01-01T00:00:00Z#k-1"}


def test_knowledge_is_found_by_search_but_not_by_the_milestone_searches(project):
    milestone = store("Semantic cache for prompts")
    promote("k-1", "Semantic caching of prompt embeddings: reuse answers above 0.92 cosine")

    for compacted in (False, True):
        if compacted:
            compact()
        found = search.search(TENANT, [project], "semantic cache", 10)
        assert {(hit.kind, hit.doc_id) for hit in found} == {("milestone", milestone["milestoneId"]),
                                                             ("knowledge", "k-1")}
        knowledge = next(hit for hit in found if hit.kind == "knowledge")
        assert knowledge.project_id == project
        assert knowledge.score > 0
        assert knowledge_wire(knowledge.item) == {"knowledgeId": "k-1", "projectId": project, "cacheKey": "key-k-1",
                                  "summary": "Semantic caching of prompt embeddings: reuse answers above 0.92 cosine",
                                  "reuseScore": 0.5, "createdAt": "2026-02-01T00:00:00Z"}
        assert milestone_search.across_projects(TENANT, None, "semantic cache", 10) == [milestone]
        assert milestone_search.in_project(TENANT, project, "embeddings", 10) == []


def test_a_rewritten_knowledge_item_supersedes_its_indexed_version(project):
    promote("k-1", "walrus notes")
    compact()
    promote("k-1", "narwhal notes")  # promoted again: same item, new text and fresh attributes

    assert hits("walrus") == []
    assert hits("narwhal") == [("knowledge", "k-1")]
    compact()
    assert hits("walrus") == []
    assert hits("narwhal") == [("knowledge", "k-1")]
    assert manifest()["docs"] == 2  # both versions are in segments until a merge drops the old one
    assert search.search(TENANT, None, "notes", 10)[0].item["summary"] == "narwhal notes"


def test_filters_by_time_and_agent(project):
    promote("k-1", "heron knowledge", created_at="2020-01-01T00:00:00Z")
    mine = store("heron by one", agent="agent-1")
    theirs = store("heron by two", agent="agent-2")

    assert set(hits("heron", since="2025-01-01T00:00:00Z")) == {("milestone", mine["milestoneId"]),
                                                                ("milestone", theirs["milestoneId"])}
    assert hits("heron", agent_ids={"agent-2"}) == [("milestone", theirs["milestoneId"])]
    assert hits("heron", agent_ids=set()) == []
    assert len(hits("heron")) == 3


def test_hits_of_deleted_documents_are_skipped_and_replaced(project):
    made = [store(f"osprey {n}") for n in range(4)]
    compact()
    table().delete_keys([(project_pk(TENANT, project), milestone_id_sk(made[3]["milestoneId"]))])

    found = search.search(TENANT, None, "osprey", 2)

    assert [hit.doc_id for hit in found] == [made[2]["milestoneId"], made[1]["milestoneId"]]


# --- compaction -----------------------------------------------------------------------------------------------


def test_compaction_is_idempotent(project):
    store("alpha one")
    store("alpha two")

    first = compact()
    second = compact()

    assert (first.indexed, first.cleared, first.complete) == (2, 2, True)
    assert second.skipped == "nothing pending"
    assert manifest()["docs"] == 2
    assert list(search_index.pending_items(TENANT)) == []
    stored = table().query(project_pk(TENANT, project), sk_prefix="MS#main#").items
    assert all("terms" not in item and "GSI3PK" not in item and item["termCount"] > 0 for item in stored)


def test_the_by_id_copy_carries_no_index_attributes(project):
    created = store("kestrel")

    copy = table().get(project_pk(TENANT, project), milestone_id_sk(created["milestoneId"]))

    assert not {name for name in copy if name.startswith("GSI") or name in documents.SEARCH_ATTRIBUTES}


def test_markers_are_not_removed_from_deleted_or_rewritten_items(project):
    item = promote("k-1", "first text")
    pk, sk = item["PK"], item["SK"]

    assert search_index.clear_pending(pk, sk, "another-revision") is False
    assert table().get(pk, sk)["GSI3PK"]
    table().delete_keys([(pk, sk)])
    assert search_index.clear_pending(pk, sk, item["searchRev"]) is False
    assert table().get(pk, sk) is None  # never resurrected as a bare item


def test_a_document_missing_from_the_index_is_read_from_the_table(project, monkeypatch):
    created = store("albatross")
    pk, sk = project_pk(TENANT, project), "MS#main#999999999998"
    monkeypatch.setattr(search_compaction, "pending_items", lambda tenant, project_id: iter(()))  # GSI lag

    result = compact(triggers=[(pk, sk), (pk, "MS#main#nothing")])

    assert result.indexed == 1
    assert table().get(pk, sk).get("GSI3PK") is None
    monkeypatch.undo()
    assert hits("albatross") == [("milestone", created["milestoneId"])]


def test_nothing_is_indexed_for_a_project_being_deleted(project):
    store("pelican")
    projects.mark_deleting(TENANT, project)

    assert compact().skipped == "project is not live"
    assert manifest()["version"] == 0


def test_a_segment_written_while_the_project_was_deleted_is_removed(project, monkeypatch):
    store("pelican")
    written = []
    real_write = search_index.write_segment

    def write_then_delete_project(key, payload):
        written.append(key)
        size = real_write(key, payload)
        projects.mark_deleting(TENANT, project)
        return size

    monkeypatch.setattr(search_compaction, "write_segment", write_then_delete_project)

    assert compact().skipped == "project is not live"
    search_index.segment_cache().clear()
    with pytest.raises(search_index.SegmentGone):
        search_index.load_segment(written[0])


def test_a_stale_manifest_is_refused_and_appending_retries(project):
    store("one")
    compact()
    stale = manifest()
    store("two")
    compact()

    with pytest.raises(search_index.ManifestConflict):
        search_index.replace_manifest(TENANT, project, stale, [])
    entry = {"key": "none", "docs": 0, "length": 0, "bytes": 0}
    assert search_compaction._append(TENANT, project, stale, entry)["segments"][-1] == entry


def test_compaction_stops_at_the_deadline_and_the_next_run_finishes(project):
    for n in range(3):
        store(f"swift {n}")

    first = compact(deadline=time.monotonic() - 1)
    second = compact()

    assert (first.indexed, first.cleared, first.complete) == (3, 0, False)
    assert (second.indexed, second.cleared, second.complete) == (3, 3, True)
    assert len(hits("swift")) == 3  # the copies in two segments count once


def test_more_than_eight_segments_are_merged_and_the_old_objects_deleted(project):
    for n in range(10):
        store(f"merlin {n}")
        compact()
    current = manifest()

    assert len(current["segments"]) <= 8
    assert current["docs"] == 10
    assert len(hits("merlin")) == 10


def test_a_query_reads_the_manifest_again_when_a_segment_was_merged_away(project, monkeypatch):
    created = store("griffin")
    compact()
    real_load = search.load_segment
    calls = []

    def gone_once(key):
        calls.append(key)
        if len(calls) == 1:
            raise search_index.SegmentGone(key)
        return real_load(key)

    monkeypatch.setattr(search, "load_segment", gone_once)

    assert hits("griffin") == [("milestone", created["milestoneId"])]
    assert len(calls) == 2


# --- the handler ------------------------------------------------------------------------------------------------


def test_the_stream_poller_honours_the_batch_size(project):
    for n in range(5):
        store(f"batch {n}")
    batches = []
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"GSI3PK": {"S": [{"exists": True}]}}}}
    source = StreamSource("SearchIndexerFunction", 2, (pattern,), True, max_retries=3)
    poller = StreamPoller(os.environ["CAIRN_TABLE_NAME"], sources=[source],
                          invoke=lambda _, event: batches.append(event["Records"]))

    poller.drain()

    assert [len(batch) for batch in batches] == [2, 2, 1]
    record = batches[0][0]
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:")
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)


def test_failed_projects_are_reported_for_retry(project, monkeypatch):
    store("first")
    projects.create(TENANT, "other", "Other", "")
    store("second", project="other")
    events = []
    indexer = [source for source in stream_sources() if source.logical_id == "SearchIndexerFunction"]
    StreamPoller(os.environ["CAIRN_TABLE_NAME"], sources=indexer, invoke=lambda _, event: events.append(event)).drain()
    [event] = events

    def broken(tenant, project_id, *args, **kwargs):
        if project_id == "other":
            raise RuntimeError("S3 is down")
        return search_compaction.Compaction(project_id)

    monkeypatch.setattr(search_compaction, "compact", broken)
    result = handlers.invoke("SearchIndexerFunction", event)

    other_record = next(r for r in event["Records"] if r["dynamodb"]["NewImage"]["projectId"]["S"] == "other")
    assert result == {"batchItemFailures": [{"itemIdentifier": other_record["dynamodb"]["SequenceNumber"]}]}
