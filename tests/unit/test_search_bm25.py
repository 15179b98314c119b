"""Search, pure parts: BM25, the terms encoding, segments (encode, decode, merge, precedence), the merge
policy, and the local stream poller's filter matching."""

from __future__ import annotations

import random

import pytest

from cairn.core import text
from cairn.search.domain import bm25
from cairn.search.service.compaction import merge_run
from cairn.search.service.query import _precedence_masks
from cairn.search.store import index as search_index
from cairn.search.store.index import Doc, decode_segment, encode_segment, merged_payload, segment_of_docs
from cairn_local import streams


def test_terms_encoding_round_trips_and_leaves_out_tf_one():
    frequencies = {"cach": 3, "redi": 1, "metric": 2}

    encoded = text.encode_terms(frequencies)

    assert encoded == "cach:3 metric:2 redi"
    assert text.decode_terms(encoded) == frequencies
    assert text.decode_terms("") == {}


def test_terms_encoding_keeps_the_most_frequent_terms_when_capped(monkeypatch):
    monkeypatch.setattr(text, "MAX_DISTINCT_TERMS", 2)

    assert text.decode_terms(text.encode_terms({"a1": 1, "b2": 5, "c3": 2, "d4": 1})) == {"b2": 5, "c3": 2}


def test_weighted_frequencies_count_a_part_as_often_as_its_weight():
    counts = text.weighted_frequencies([("Caching layer", 1), ("", 5), ("cache hits, cached pages", 2), ("x", 0)])

    assert counts == {"cach": 1 + 2 * 2, "layer": 1, "hit": 2, "page": 2}


def test_query_terms_are_distinct_stemmed_and_without_stop_words():
    assert bm25.query_terms("The caching of CACHED pages and the cache") == ["cach", "page"]


def test_idf_is_positive_and_falls_with_document_frequency():
    values = [bm25.idf(100, df) for df in (1, 10, 50, 100)]

    assert all(value > 0 for value in values)
    assert values == sorted(values, reverse=True)


def test_accumulated_scores_equal_the_reference_formula():
    rng = random.Random(7)
    vocabulary = [f"t{n}" for n in range(30)]
    docs = [{term: rng.randint(1, 4) for term in rng.sample(vocabulary, rng.randint(1, 12))} for _ in range(200)]
    lengths = [sum(doc.values()) for doc in docs]
    average = sum(lengths) / len(lengths)
    query = ["t1", "t5", "t9"]
    weights = {term: bm25.idf(len(docs), sum(term in doc for doc in docs)) for term in query}

    scores: dict[int, float] = {}
    for term in query:
        postings = ([d for d, doc in enumerate(docs) if term in doc], [doc[term] for doc in docs if term in doc])
        bm25.accumulate(scores, postings, weights[term], lengths, average)

    for d, doc in enumerate(docs):
        expected = bm25.score(doc, lengths[d], weights, average)
        assert scores.get(d, 0.0) == pytest.approx(expected, rel=1e-12)


def test_shorter_documents_score_higher_for_the_same_tf():
    weights = {"x": 1.0}

    assert bm25.score({"x": 1}, 2, weights, 10) > bm25.score({"x": 1}, 20, weights, 10)
    assert bm25.score({"x": 3}, 10, weights, 10) > bm25.score({"x": 1}, 10, weights, 10)


def doc(ref: str, terms: dict[str, int], created: str = "2026-01-01T00:00:00Z", kind: str = "milestone") -> Doc:
    return Doc(ref=ref, kind=kind, doc_id=ref.split("#")[-1], project_id="p", length=sum(terms.values()),
               created_at=created, sequence=1, agent_id="a", terms=terms)


def postings_of(segment: search_index.Segment) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for term in segment.terms():
        docs, tfs = segment.postings(term)
        found[term] = {segment.refs[d]: tf for d, tf in zip(docs, tfs, strict=True)}
    return found


def test_a_segment_round_trips_through_its_compressed_encoding():
    docs = [doc("MSID#a", {"cach": 2, "redi": 1}), doc("MSID#b", {"redi": 3}), doc("KNOW#c", {"jwt": 1}, kind="k")]
    _, payload = segment_of_docs("k", "p", docs)

    segment = decode_segment("k", encode_segment(payload))

    assert segment.refs == ["MSID#a", "MSID#b", "KNOW#c"]
    assert segment.kinds == ["milestone", "milestone", "k"]
    assert segment.lengths == [3, 3, 1]
    assert postings_of(segment) == {"cach": {"MSID#a": 2}, "redi": {"MSID#a": 1, "MSID#b": 3}, "jwt": {"KNOW#c": 1}}
    assert segment.postings("absent") is None
    assert segment.total_length == 7


def test_a_segment_keeps_the_later_of_two_documents_with_the_same_ref():
    segment, _ = segment_of_docs("k", "p", [doc("KNOW#x", {"old": 1}), doc("KNOW#x", {"new": 2})])

    assert segment.refs == ["KNOW#x"]
    assert postings_of(segment) == {"new": {"KNOW#x": 2}}


def test_merging_segments_drops_superseded_documents_and_keeps_postings_ordered():
    first = decode_segment("1", encode_segment(segment_of_docs("1", "p", [
        doc("MSID#a", {"x": 1}), doc("KNOW#k", {"old": 1, "x": 2}), doc("MSID#b", {"y": 1})])[1]))
    second = decode_segment("2", encode_segment(segment_of_docs("2", "p", [
        doc("MSID#c", {"x": 4}), doc("KNOW#k", {"new": 1})])[1]))

    merged = decode_segment("m", encode_segment(merged_payload("p", [first, second])))

    assert merged.refs == ["MSID#a", "MSID#b", "MSID#c", "KNOW#k"]
    assert postings_of(merged) == {"x": {"MSID#a": 1, "MSID#c": 4}, "y": {"MSID#b": 1}, "new": {"KNOW#k": 1}}
    docs, _ = merged.postings("x")
    assert docs == sorted(docs)


def test_later_segments_mask_the_same_ref_in_earlier_ones():
    segments = [segment_of_docs(str(n), "p", [doc(ref, {"x": 1}) for ref in refs])[0]
                for n, refs in enumerate((["a", "b", "c"], ["b"], ["c", "d"]))]

    assert _precedence_masks(segments) == [{1, 2}, set(), set()]
    assert _precedence_masks(segments[:1]) == [set()]


@pytest.mark.parametrize(("sizes", "expected"), [
    ([100, 1, 1], -1),  # within the limit
    ([1] * 9, 0),  # all small: merge everything
    ([10_000, 5, 1, 1, 1, 1, 1, 1, 1], 1),  # a big base is left alone
    ([10_000, 5_000, 1, 1, 1, 1, 1, 1, 1], 2),
    ([30, 20, 10, 5, 1, 1, 1, 1, 1], 0),
])
def test_the_merge_policy_merges_a_run_of_newer_segments(sizes, expected):
    assert merge_run(sizes, 8) == expected


# --- the local stream poller's filters ---------------------------------------------------------------------


def record(event: str, image: dict | None) -> dict:
    found = {"eventName": event, "dynamodb": {"Keys": {"PK": {"S": "p"}, "SK": {"S": "s"}}}}
    if image is not None:
        found["dynamodb"]["NewImage"] = image
    return found


def test_the_indexers_filter_admits_new_and_rewritten_search_documents_only():
    [source] = [s for s in streams.stream_sources() if s.logical_id == "SearchIndexerFunction"]
    pending = {"PK": {"S": "p"}, "GSI3PK": {"S": "T#t#UNINDEXED"}}
    compacted = {"PK": {"S": "p"}}

    assert source.batch_size == 100
    assert source.reports_failures
    assert streams.admits(source, record("INSERT", pending))
    assert streams.admits(source, record("MODIFY", pending))
    assert not streams.admits(source, record("MODIFY", compacted))
    assert not streams.admits(source, record("INSERT", compacted))
    assert not streams.admits(source, record("REMOVE", None))


def test_filter_patterns_support_value_lists_and_exists():
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"flag": {"S": [{"exists": False}]}}}}

    assert streams.matches(pattern, record("INSERT", {"other": {"S": "x"}}))
    assert not streams.matches(pattern, record("INSERT", {"flag": {"S": "x"}}))
    assert not streams.matches(pattern, record("MODIFY", {}))
    assert streams.matches({"eventName": [{"prefix": "IN"}]}, record("INSERT", {}))
    assert not streams.matches({"eventName": [{"prefix": "MO"}]}, record("INSERT", {}))
    with pytest.raises(ValueError, match="only exists and prefix"):
        streams.matches({"eventName": [{"anything-but": "IN"}]}, record("INSERT", {}))
