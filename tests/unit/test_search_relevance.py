"""Relevance check: the synthetic multi-project history of scripts/cairn_local/search_corpus.py (302
milestones in 6 projects, 49 queries with judged hits) searched through ``search()``. Thresholds sit just
under what BM25 measures here (docs/search.md): recall@5 0.896, MRR 0.918."""

from __future__ import annotations

from cairn.search.service import compaction as search_compaction
from cairn.search.service import query as search
from cairn_local import search_corpus

TENANT = "tenant-relevance"
RECALL_AT_5_MIN = 0.85
MRR_MIN = 0.9
SAMPLED = 6  # queries also ranked before compaction (moto is slow to return 302 pending documents)


def rank(keys: dict[str, str], query: search_corpus.RelevanceQuery) -> list[str]:
    projects = [query.project] if query.project else None
    return [keys[hit.doc_id] for hit in search.search(TENANT, projects, query.text, 20)]


def test_recall_and_mrr_on_the_synthetic_history(aws):
    corpus = search_corpus.milestones()
    assert len(corpus) >= 300
    assert len(search_corpus.QUERIES) >= 30
    sample = search_corpus.QUERIES[::8][:SAMPLED]

    keys = search_corpus.seed(TENANT, corpus)
    assert len(keys) == len(corpus)
    before = [rank(keys, query) for query in sample]
    for project in search_corpus.PROJECTS:
        assert search_compaction.compact(TENANT, project).complete
    result = search_corpus.evaluate(lambda query: rank(keys, query), corpus)
    after = [rank(keys, query) for query in sample]

    assert after == before  # the same answers from segments as from pending documents
    print(f"recall@5={result.recall_at_5:.3f} MRR={result.mrr:.3f} over {result.queries} queries")
    assert result.recall_at_5 >= RECALL_AT_5_MIN, result.per_query
    assert result.mrr >= MRR_MIN, result.per_query
