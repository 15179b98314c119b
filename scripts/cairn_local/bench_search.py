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


def milestone_items(tenant: str, project_id: str, count: int, start: int = 1) -> Iterator[dict[str, Any]]:
    """``count`` milestones as ``milestones.store`` writes them (entry with terms and GSI3 keys, by-id copy),
    texts cycling through the relevance corpus with a ticket number each (a term of its own)."""
    from cairn.aws.keys import ProjectRef
    from cairn.memory.domain.milestones import content_digest
    from cairn.memory.store.milestones import TEXT_FIELDS, new_item, stored_items

    ref = ProjectRef(tenant, project_id)
    corpus = search_corpus.milestones()
    for sequence in range(start, start + count):
        base = corpus[(sequence - 1) % len(corpus)].fields
        fields = {**base, "thisContribution": f"{base['thisContribution']} (ticket ENG-{sequence})",
                  "cumulativeProgress": f"{base['cumulativeProgress']} Iteration {sequence // len(corpus)}."}
        digest = content_digest(*(fields[name] for name in TEXT_FIELDS))
        yield from stored_items(new_item(ref, "main", sequence, fields, digest))


def seed_project(client: Any, headers: dict[str, str], tenant: str, project_id: str, count: int) -> dict[str, Any]:
    from cairn.search.service import compaction as search_compaction
    from cairn.search.store import index as search_index
    from cairn_local.bench import batch_write

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


def measure(name: str, call: Callable[[str], Any], queries: list[str], iterations: int, recorder: Any,
            clock: Clock) -> dict[str, Any]:
    from cairn_local.bench import percentile

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


def project_section(client: Any, recorder: Any, clock: Clock, size: int, iterations: int) -> list[dict[str, Any]]:
    from cairn.search.store import index as search_index
    from cairn_local.bench import BENCH_SECRET, batch_write
    from cairn_local.tokens import mint

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


def cross_section(client: Any, recorder: Any, clock: Clock, iterations: int) -> list[dict[str, Any]]:
    from cairn.search.store import index as search_index
    from cairn_local.bench import BENCH_SECRET
    from cairn_local.tokens import mint

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
    import warnings

    from moto import mock_aws

    from cairn_local.bench import MOTO_CONFIG, Recorder, provision_stack

    with mock_aws(config=MOTO_CONFIG):
        provision_stack()
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

        from cairn_local.gateway import Gateway

        recorder, clock = Recorder(), Clock()
        recorder.install()
        clock.install()
        with TestClient(Gateway(), raise_server_exceptions=False) as client, timed_scoring(clock):
            print("search: relevance corpus", file=sys.stderr)
            relevance = relevance_section()
            operations = []
            for size in PROJECT_SIZES:
                operations += project_section(client, recorder, clock, size, iterations)
            operations += cross_section(client, recorder, clock, iterations)
    return {"operations": operations, "relevance": relevance}


# --- targets and output ----------------------------------------------------------------------------------


def search_checks(result: dict[str, Any]) -> list[dict[str, Any]]:
    from cairn_local.bench import check

    found = []
    for op in result["operations"]:
        name, size = op["operation"], op["milestones"]
        found.append(check("no DynamoDB Scan", name, size, "Scan" not in op["dynamodb_calls_by_api"],
                           f"by API={op['dynamodb_calls_by_api']}"))
        found.append(check("warm: no S3 call (segments cached)", name, size, op["s3_calls"]["max"] == 0,
                           f"S3 calls max {op['s3_calls']['max']}"))
        if op["errors"]:
            found.append(check("every request answers 200", name, size, False, f"{op['errors']} errors"))
        if name.startswith("per-project") and "pending" not in name:
            found.append(check("per-project: 3 DynamoDB calls (BatchGet, Query GSI3, BatchGet hits)", name, size,
                               op["dynamodb_calls"]["max"] <= 3, f"{op['dynamodb_calls']}"))
    big = next(op for op in result["operations"] if op["operation"] == f"per-project, {PROJECT_SIZES[-1]:,} milestones")
    found.append(check(f"per-project compute p50 < {COMPUTE_TARGET_MS:g} ms", big["operation"], big["milestones"],
                       big["compute_ms"]["p50"] < COMPUTE_TARGET_MS, f"compute p50 {big['compute_ms']['p50']} ms"))
    relevance = result["relevance"]
    found.append(check("relevance recall@5 >= 0.85 and MRR >= 0.9", "relevance corpus", relevance["milestones"],
                       relevance["recall_at_5"] >= 0.85 and relevance["mrr"] >= 0.9,
                       f"recall@5 {relevance['recall_at_5']}, MRR {relevance['mrr']}"))
    return found


def render_search(result: dict[str, Any]) -> str:
    header = (f"{'search':<40} | {'ddb':>4} {'by API':<14} {'s3':>3} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'cpu p50':>7} {'cpu p99':>7} {'bm25 p50':>8} | cold: {'ms':>7} {'s3':>3}")
    lines = [header, "-" * len(header)]
    for op in result["operations"]:
        apis = " ".join(f"{count:g}{api}" for api, count in op["dynamodb_calls_by_api"].items() if count)
        apis = apis.replace("BatchGetItem", "BG").replace("Query", "Q")
        lines.append(
            f"{op['operation']:<40} | {op['dynamodb_calls']['median']:>4g} {apis:<14} {op['s3_calls']['median']:>3g} "
            f"{op['latency_ms']['p50']:>7.1f} {op['latency_ms']['p99']:>7.1f} {op['compute_ms']['p50']:>7.1f} "
            f"{op['compute_ms']['p99']:>7.1f} {op['scoring_ms']['p50']:>8.1f} | {op['cold']['latency_ms']:>10.1f} "
            f"{op['cold']['s3_calls']:>3g}")
    lines.append("cpu = latency minus time inside AWS SDK calls (moto); bm25 = scoring and top-k only; "
                 "BG=BatchGetItem, Q=Query")
    relevance = result["relevance"]
    lines.append(f"relevance: recall@5 {relevance['recall_at_5']}, MRR {relevance['mrr']} "
                 f"({relevance['queries']} queries, {relevance['milestones']} milestones)")
    for row in relevance["field_weight_ablation"]:
        weights = "/".join(str(w) for w in row["weights"].values())
        lines.append(f"  weights purpose/progress/contribution {weights}: recall@5 {row['recall_at_5']}, "
                     f"MRR {row['mrr']}")
    return "\n".join(lines)
