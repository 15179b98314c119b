"""The benchmark's search section (``python -m cairn_local.bench --only search``).

Per-project search at 1,000 and 20,000 milestones in one project, and cross-project search over 50
projects (400 milestones each): latency p50/p99 through the HTTP path, DynamoDB and S3 calls per query,
and the *compute* of a query: time in Cairn's code with the AWS calls taken out (moto's time, which
grows with the whole table, is not DynamoDB's), of which the BM25 scoring and top-k alone is also
reported. Milestones are written with BatchWriteItem as ``milestones.store`` builds them (terms and GSI3
keys included), then compacted by calling the indexer's compaction directly. Plus recall@5 and MRR of
the relevance corpus (scripts/cairn_local/search_corpus.py) through ``search()``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cairn_local import search_corpus
from cairn_local.bench.recording import Recorder, percentile
from cairn_local.bench.seeding import batch_write, milestone_items
from cairn_local.bench.stack import BENCH_SECRET, in_process_stack
from cairn_local.tokens import mint

PROJECT_SIZES = (1_000, 20_000)
CROSS_PROJECTS, CROSS_PROJECT_SIZE = 50, 400
PENDING_EXTRA = 100  # documents stored after compaction: the query reads them through GSI3
COMPUTE_TARGET_MS = 50.0
PROJECT_LIMIT, TENANT_LIMIT = 20, 50


# --- time inside the AWS SDK vs in Cairn's code ----------------------------------------------------------


@dataclass
class Clock:
    """Seconds spent inside boto3 calls (request, moto, response parsing) and in the scoring functions."""

    io: float = 0.0
    scoring: float = 0.0
    _started: dict[int, float] = field(default_factory=dict)

    def install(self) -> None:
        from cairn.aws import clients

        for client in (clients.dynamodb(), clients.s3()):
            client.meta.events.register("before-call", self._before)
            client.meta.events.register("after-call", self._after)

    def _before(self, **kwargs: Any) -> None:
        self._started[id(kwargs.get("context"))] = time.perf_counter()

    def _after(self, **kwargs: Any) -> None:
        started = self._started.pop(id(kwargs.get("context")), None)
        if started is not None:
            self.io += time.perf_counter() - started

    def take(self) -> tuple[float, float]:
        taken = (self.io, self.scoring)
        self.io = self.scoring = 0.0
        return taken


@contextmanager
def timed_scoring(clock: Clock) -> Iterator[None]:
    """Times ``_Search._scored`` (postings, BM25) and ``_best`` (top-k, tie-breaks) on every query."""
    from cairn.search.service import query as search

    originals = (search._Search._scored, search._best)

    def scored(self: Any, parts: Any) -> Any:
        started = time.perf_counter()
        try:
            return originals[0](self, parts)
        finally:
            clock.scoring += time.perf_counter() - started

    def best(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return originals[1](*args)
        finally:
            clock.scoring += time.perf_counter() - started

    search._Search._scored, search._best = scored, best  # type: ignore[method-assign]
    try:
        yield
    finally:
        search._Search._scored, search._best = originals  # type: ignore[method-assign]


# --- seeding ---------------------------------------------------------------------------------------------


def seed_project(client: Any, headers: dict[str, str], tenant: str, project_id: str, count: int) -> dict[str, Any]:
    from cairn.search.service import compaction as search_compaction
    from cairn.search.store import index as search_index

    response = client.post("/api/v1/memory/projects", headers=headers,
                           json={"projectId": project_id, "name": project_id, "roadmap": "search benchmark"})
    if response.status_code != 200:
        raise RuntimeError(f"create {project_id}: {response.status_code} {response.text}")
    started = time.perf_counter()
    batch_write(milestone_items(tenant, project_id, count))
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    result = search_compaction.compact(tenant, project_id)
    compacted = time.perf_counter() - started
    if not result.complete or result.indexed != count:
        raise RuntimeError(f"compaction of {project_id}: {result}")
    _, manifest = search_index.project_and_manifest(tenant, project_id)
    return {"seed_seconds": round(seeded, 2), "compact_seconds": round(compacted, 2),
            "segments": len(manifest["segments"]), "segment_bytes": sum(s["bytes"] for s in manifest["segments"])}


# --- measuring -------------------------------------------------------------------------------------------


def measure(name: str, call: Callable[[str], Any], queries: list[str], iterations: int, recorder: Recorder,
            clock: Clock) -> dict[str, Any]:
    latencies, computes, scorings, ddb, s3, apis, errors = [], [], [], [], [], [], 0
    returned = []
    for i in range(1 + iterations):  # the first query warms the segment cache: reported as "cold"
        recorder.take()
        clock.take()
        started = time.perf_counter()
        response = call(queries[i % len(queries)])
        elapsed = time.perf_counter() - started
        calls = recorder.take()
        io, scoring = clock.take()
        if response.status_code != 200:
            errors += 1
            continue
        sample = (elapsed * 1000, (elapsed - io) * 1000, scoring * 1000, sum(calls.dynamodb.values()),
                  sum(calls.s3.values()), dict(calls.dynamodb))
        if i == 0:
            cold = sample
            continue
        latencies.append(sample[0])
        computes.append(sample[1])
        scorings.append(sample[2])
        ddb.append(sample[3])
        s3.append(sample[4])
        apis.append(sample[5])
        returned.append(response.json()["count"])
    by_api = {api: statistics.median(a.get(api, 0) for a in apis) for api in sorted({k for a in apis for k in a})}
    return {
        "operation": name, "iterations": len(latencies), "errors": errors,
        "latency_ms": {"p50": round(percentile(latencies, 50), 2), "p99": round(percentile(latencies, 99), 2)},
        "compute_ms": {"p50": round(percentile(computes, 50), 2), "p99": round(percentile(computes, 99), 2)},
        "scoring_ms": {"p50": round(percentile(scorings, 50), 2), "p99": round(percentile(scorings, 99), 2)},
        "dynamodb_calls": {"median": statistics.median(ddb), "max": max(ddb)}, "dynamodb_calls_by_api": by_api,
        "s3_calls": {"median": statistics.median(s3), "max": max(s3)}, "returned_median": statistics.median(returned),
        "cold": {"latency_ms": round(cold[0], 2), "compute_ms": round(cold[1], 2), "dynamodb_calls": cold[3],
                 "s3_calls": cold[4]},
    }


def project_section(client: Any, recorder: Recorder, clock: Clock, size: int, iterations: int) -> list[dict[str, Any]]:
    from cairn.search.store import index as search_index

    tenant, project_id = f"search-tenant-{size}", f"search-{size}"
    headers = {"Authorization": f"Bearer {mint(tenant, 'bench', ['agent'], secret=BENCH_SECRET)}"}
    seeded = seed_project(client, headers, tenant, project_id, size)
    print(f"  {size:,} milestones: seeded in {seeded['seed_seconds']} s, compacted in {seeded['compact_seconds']} s "
          f"({seeded['segment_bytes']:,} bytes)", file=sys.stderr)
    queries = [query.text for query in search_corpus.QUERIES]

    def call(query: str) -> Any:
        return client.post(f"/api/v1/memory/projects/{project_id}/search", headers=headers,
                           json={"query": query, "limit": PROJECT_LIMIT})

    search_index.segment_cache().clear()
    results = [{**measure(f"per-project, {size:,} milestones", call, queries, iterations, recorder, clock),
                "milestones": size, **seeded}]
    batch_write(milestone_items(tenant, project_id, PENDING_EXTRA, start=size + 1))
    results.append({**measure(f"per-project, {size:,} + {PENDING_EXTRA} pending", call, queries, iterations,
                              recorder, clock), "milestones": size + PENDING_EXTRA})
    return results


def cross_section(client: Any, recorder: Recorder, clock: Clock, iterations: int) -> list[dict[str, Any]]:
    from cairn.search.store import index as search_index

    tenant = "search-tenant-cross"
    headers = {"Authorization": f"Bearer {mint(tenant, 'bench', ['agent'], secret=BENCH_SECRET)}"}
    started = time.perf_counter()
    for n in range(CROSS_PROJECTS):
        seed_project(client, headers, tenant, f"cross-{n:02d}", CROSS_PROJECT_SIZE)
    print(f"  {CROSS_PROJECTS} projects x {CROSS_PROJECT_SIZE} milestones seeded and compacted in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    queries = [query.text for query in search_corpus.QUERIES]
    some = [f"cross-{n:02d}" for n in range(0, CROSS_PROJECTS, 5)]

    def every(query: str) -> Any:
        return client.post("/api/v1/memory/search", headers=headers, json={"query": query, "limit": TENANT_LIMIT})

    def ten(query: str) -> Any:
        return client.post("/api/v1/memory/search", headers=headers,
                           json={"query": query, "limit": TENANT_LIMIT, "projectIds": some})

    search_index.segment_cache().clear()
    total = CROSS_PROJECTS * CROSS_PROJECT_SIZE
    return [{**measure(f"cross-project, all {CROSS_PROJECTS} projects", every, queries, iterations, recorder, clock),
             "milestones": total},
            {**measure("cross-project, projectIds (10)", ten, queries, iterations, recorder, clock),
             "milestones": total}]


def relevance_section() -> dict[str, Any]:
    from cairn.search.service import compaction as search_compaction
    from cairn.search.service import query as search

    tenant = "search-tenant-relevance"
    keys = search_corpus.seed(tenant)
    for project_id in search_corpus.PROJECTS:
        search_compaction.compact(tenant, project_id)

    def rank(query: search_corpus.RelevanceQuery) -> list[str]:
        projects = [query.project] if query.project else None
        return [keys[hit.doc_id] for hit in search.search(tenant, projects, query.text, 20)]

    result = search_corpus.evaluate(rank)
    return {"milestones": len(keys), "queries": result.queries, "recall_at_5": round(result.recall_at_5, 3),
            "mrr": round(result.mrr, 3), "misses": [row for row in result.per_query if row["recall_at_5"] < 1],
            "field_weight_ablation": search_corpus.field_weight_ablation()}


def run_search_bench(iterations: int) -> dict[str, Any]:
    with in_process_stack() as (client, recorder), timed_scoring(clock := Clock()):
        clock.install()
        print("search: relevance corpus", file=sys.stderr)
        relevance = relevance_section()
        operations = []
        for size in PROJECT_SIZES:
            operations += project_section(client, recorder, clock, size, iterations)
        operations += cross_section(client, recorder, clock, iterations)
    return {"operations": operations, "relevance": relevance}
