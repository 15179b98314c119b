"""Ranked search over a tenant's projects (docs/search.md): BM25 over the compacted segments and the
pending documents, then the best hits read back by key. Never a Scan.

``search()`` returns ``Hit``s of every kind (milestones and promoted knowledge; callers filter, and project
each hit's item onto the wire of the context that owns its kind); ``cairn.aws.documents`` makes any item of
a project partition a search document.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cairn.aws import blobs, partition
from cairn.aws.keys import ProjectRef
from cairn.memory.service import projects
from cairn.search.domain import bm25
from cairn.search.store.index import (
    Segment,
    SegmentGone,
    doc_from_item,
    live_manifests,
    load_segment,
    pending_items,
    read_items,
    segment_of_docs,
)

PENDING_KEY = "pending:"
_MASK_CACHE_MAX = 256


@dataclass(frozen=True)
class Hit:
    kind: str  # "milestone" | "knowledge"
    project_id: str
    doc_id: str
    score: float
    item: dict[str, Any]  # the item as stored (offloaded texts loaded back), to be projected by its kind


def search(tenant: str, project_ids: list[str] | None, query: str, limit: int, *, since: str | None = None,
           agent_ids: set[str] | None = None, kinds: frozenset[str] | None = None) -> list[Hit]:
    """The best ``limit`` documents for ``query`` in the tenant's live projects (all of them when
    ``project_ids`` is None; unknown or deleted ones contribute nothing), newest first among equal scores.
    ``since`` keeps documents created at or after it (ISO 8601); ``agent_ids`` those stored by one of the
    agents (knowledge has no agent and is then left out); ``kinds`` those of these kinds (None: any)."""
    return _Search(tenant, query, limit, since=since, agent_ids=agent_ids, kinds=kinds).run(project_ids)


def search_project(tenant: str, project_id: str, query: str, limit: int, *,
                   kinds: frozenset[str] | None = None) -> list[Hit]:
    """The best ``limit`` documents of one project; ``NotFound`` unless the project is live in the tenant."""
    return partition.resolved(tenant, project_id, _Search(tenant, query, limit, kinds=kinds).run_project)


# --- the query ----------------------------------------------------------------------------------------------


@dataclass
class _Part:
    """A segment (or a project's pending documents) and the doc indexes superseded by later parts."""

    segment: Segment
    masked: set[int]
    project: ProjectRef  # the generation whose partition holds the hits


class _Search:
    def __init__(self, tenant: str, query: str, limit: int, *, since: str | None = None,
                 agent_ids: set[str] | None = None, kinds: frozenset[str] | None) -> None:
        self.tenant = tenant
        self.terms = bm25.query_terms(query)
        self.limit = limit
        self.since = since
        self.agent_ids = agent_ids
        self.kinds = kinds

    def run(self, project_ids: Sequence[str] | None) -> list[Hit]:
        """Across the given projects (each at the generation this container knows, followed when it was
        recreated), or every listed project (at the generation its listing entry names)."""
        if project_ids is None:
            return self._run(projects.list_refs(self.tenant), follow=False)
        refs = [partition.current(self.tenant, project_id) for project_id in dict.fromkeys(project_ids)]
        return self._run(refs, follow=True)

    def run_project(self, ref: ProjectRef) -> list[Hit]:
        """One project generation; ``NotLive`` unless it is live (``partition.resolved`` follows it)."""
        return self._run([ref], follow=False, required=True)

    def _run(self, refs: list[ProjectRef], *, follow: bool, required: bool = False) -> list[Hit]:
        if not refs:
            return []
        parts: list[_Part] = []
        for attempt in range(3):
            try:
                parts = self._parts(refs, required=required, follow=follow)
                break
            except SegmentGone:  # merged away since the manifest was read: read it again
                if attempt == 2:
                    raise
        scored = self._scored(parts)
        total = sum(len(admitted) for _, admitted in scored)
        count = min(total, self.limit + self.limit // 4 + 8)  # a margin for documents deleted since indexed
        while True:
            hits, exhausted = self._hits(parts, _best(parts, scored, count), count >= total)
            if not exhausted:
                return hits
            count = min(total, count * 4)

    def _parts(self, refs: list[ProjectRef], *, required: bool, follow: bool) -> list[_Part]:
        live = live_manifests(refs, follow=follow, required=required)
        if not live or not self.terms:
            return []
        # Pending documents of the searched generations only: the scope in GSI3SK names the generation.
        wanted = {(ref.project_id, ref.generation) for ref, _ in live}
        pending: dict[tuple[str, int], list[Any]] = {}
        for item in pending_items(self.tenant, live[0][0] if len(refs) == 1 else None):
            doc = doc_from_item(item)
            if (doc.project_id, doc.generation) in wanted:
                pending.setdefault((doc.project_id, doc.generation), []).append(doc)
        parts: list[_Part] = []
        for ref, manifest_item in live:
            manifest = manifest_item or {}
            segments = [load_segment(entry["key"]) for entry in manifest.get("segments", [])]
            docs = pending.get((ref.project_id, ref.generation))
            if docs:
                segment, _ = segment_of_docs(f"{PENDING_KEY}{ref.pk}", ref.project_id, docs, ref.generation)
                segments.append(segment)
            parts.extend(_Part(segment, masked, ref)
                         for segment, masked in zip(segments, _masks(segments), strict=True))
        return parts

    def _scored(self, parts: list[_Part]) -> list[tuple[int, list[tuple[int, float]]]]:
        """Per part, the admitted matching documents and their BM25 scores; corpus statistics (N, average
        length, document frequencies) over every part, superseded documents left out."""
        documents = sum(len(p.segment) - len(p.masked) for p in parts)
        if documents <= 0:
            return []
        total_length = sum(p.segment.total_length - sum(p.segment.lengths[i] for i in p.masked) for p in parts)
        average = total_length / documents
        postings = {term: [p.segment.postings(term) for p in parts] for term in self.terms}
        weights = {}
        for term, found in postings.items():
            frequency = sum(len(lists[0]) - _masked_count(lists[0], parts[n].masked)
                            for n, lists in enumerate(found) if lists is not None)
            if frequency:
                weights[term] = bm25.idf(documents, frequency)
        scored = []
        for n, part in enumerate(parts):
            scores: dict[int, float] = {}
            for term, weight in weights.items():
                lists = postings[term][n]
                if lists is not None:
                    bm25.accumulate(scores, lists, weight, part.segment.lengths, average)
            if scores:
                scored.append((n, self._admitted(part, scores)))
        return scored

    def _admitted(self, part: _Part, scores: dict[int, float]) -> list[tuple[int, float]]:
        segment = part.segment
        items = list(scores.items())
        if part.masked:
            items = [(d, s) for d, s in items if d not in part.masked]
        if self.kinds is not None and not segment.kind_set <= self.kinds:
            items = [(d, s) for d, s in items if segment.kinds[d] in self.kinds]
        if self.since is not None:
            items = [(d, s) for d, s in items if segment.created[d] >= self.since]
        if self.agent_ids is not None:
            items = [(d, s) for d, s in items if segment.agents[d] in self.agent_ids]
        return items

    def _hits(self, parts: list[_Part], ranked: list[tuple[Any, ...]], complete: bool) -> tuple[list[Hit], bool]:
        """Reads the ranked documents' items (BatchGetItem) until ``limit`` are found. ``exhausted`` is
        True when documents were missing (deleted since indexed) and more candidates remain."""
        hits: list[Hit] = []
        position = 0
        while len(hits) < self.limit and position < len(ranked):
            batch = ranked[position:position + self.limit - len(hits)]
            position += len(batch)
            keys = [(parts[n].project.pk, parts[n].segment.refs[d]) for *_, n, d in batch]
            found = read_items(keys)
            for (score, *_, n, d), key in zip(batch, keys, strict=True):
                item = found.get(key)
                if item is None:
                    continue
                segment = parts[n].segment
                kind = segment.kinds[d]
                hits.append(Hit(kind=kind, project_id=segment.project_id, doc_id=segment.ids[d], score=score,
                                item=blobs.hydrate(item)))
        return hits, len(hits) < self.limit and position == len(ranked) and not complete


def _best(parts: list[_Part], scored: list[tuple[int, list[tuple[int, float]]]],
          count: int) -> list[tuple[Any, ...]]:
    """The best ``count`` as (score, createdAt, sequence, docId, part, index), best first: by score, then
    newest createdAt, then highest sequence, then docId. Tuples are built only for the top scores."""
    if count <= 0:
        return []
    threshold = heapq.nlargest(count, (s for _, admitted in scored for _, s in admitted))[-1]
    pool: list[tuple[Any, ...]] = []
    for n, admitted in scored:
        segment = parts[n].segment
        pool.extend((s, segment.created[d], segment.sequences[d], segment.ids[d], n, d)
                    for d, s in admitted if s >= threshold)
    pool.sort(key=lambda c: c[:4], reverse=True)
    return pool[:count]


def _masked_count(docs: list[int], masked: set[int]) -> int:
    return sum(1 for d in docs if d in masked) if masked else 0


_mask_cache: dict[tuple[str, ...], list[set[int]]] = {}


def _masks(segments: list[Segment]) -> list[set[int]]:
    """Per segment, the doc indexes whose ref appears again in a later segment (the later one wins).
    Computed once per list of stored segments; the pending part is checked against them each time."""
    stored = [s for s in segments if not s.key.startswith(PENDING_KEY)]
    cache_key = tuple(s.key for s in stored)
    masks = _mask_cache.get(cache_key)
    if masks is None:
        masks = _precedence_masks(stored)
        if len(_mask_cache) >= _MASK_CACHE_MAX:
            _mask_cache.clear()
        _mask_cache[cache_key] = masks
    masks = [set(m) if m else set() for m in masks]
    for extra in segments[len(stored):]:
        for ref in extra.refs:
            for segment, mask in zip(stored, masks, strict=True):
                index = segment.positions.get(ref)
                if index is not None:
                    mask.add(index)
        masks.append(set())
    return masks


def _precedence_masks(segments: list[Segment]) -> list[set[int]]:
    if len(segments) < 2:
        return [set() for _ in segments]
    seen: set[str] = set()
    masks: list[set[int]] = []
    for segment in reversed(segments):
        masks.append({index for index, ref in enumerate(segment.refs) if ref in seen})
        seen.update(segment.refs)
    return masks[::-1]

