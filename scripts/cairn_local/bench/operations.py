"""The memory API's operations as the in-process benchmark sends them, at a branch of 10 and of 10,000 milestones:
DynamoDB and S3 calls, ScannedCount and latency per operation.

Requests take the real HTTP path (gateway -> the route group's FastAPI app -> store) over an in-process moto, with
the patches every local use of moto gets (emulator.install_patches: a Query reads its partition, a transaction copies
only its items). Call counts and ScannedCount carry over to AWS; latencies are moto's."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cairn_local.bench.recording import Calls, Recorder, percentile
from cairn_local.bench.seeding import AGENT, BRANCH, forget_highlights, seed, seeded_fields
from cairn_local.bench.stack import BENCH_SECRET, in_process_stack
from cairn_local.tokens import mint

SIZES = (10, 10_000)
WARMUP = 1  # iterations run first and discarded (route group import, first boto3 request)
PAGE_LIMIT = 10
LARGE_TEXT = "é" * 40_000  # 80,000 UTF-8 bytes, over the 64 KB inline limit: the texts go to S3
OLDER_BRANCH = "older"
READ_APIS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any = None
    params: dict[str, Any] | None = None


@dataclass(frozen=True)
class Operation:
    name: str
    request: Callable[[int], Request]
    prepare: Callable[[int], None] | None = None  # unmeasured set-up before each request
    expect: dict[str, str] = field(default_factory=dict)  # response headers the request must carry


@dataclass
class Session:
    """One size: a tenant, its project and an HTTP client holding a token for the tenant."""

    client: Any
    size: int
    tenant: str
    project: str
    headers: dict[str, str]
    milestone_id: str = ""

    @property
    def base(self) -> str:
        return f"/api/v1/memory/projects/{self.project}"

    def call(self, request: Request) -> Any:
        return self.client.request(request.method, request.path, json=request.body, params=request.params,
                                   headers=self.headers)

    def must(self, request: Request) -> Any:
        response = self.call(request)
        if response.status_code != 200:
            raise RuntimeError(f"set-up {request.method} {request.path}: {response.status_code} {response.text}")
        return response.json()


def store_body(branch: str, contribution: str, progress: str = "bench") -> dict[str, Any]:
    return {"branchName": branch, "branchPurpose": "Benchmark the memory API", "cumulativeProgress": progress,
            "thisContribution": contribution, "agentId": AGENT}


def branch_body(name: str) -> dict[str, Any]:
    return {"branchName": name, "parentBranch": BRANCH, "purpose": f"benchmark {name}", "agentId": AGENT}


def read_operations(s: Session) -> list[Operation]:
    def recall(**params: Any) -> Callable[[int], Request]:
        return lambda _: Request("GET", f"{s.base}/recall", params=params)

    return [
        Operation("get project", lambda _: Request("GET", s.base)),
        Operation("list projects", lambda _: Request("GET", "/api/v1/memory/projects")),
        Operation("recall overview", recall(view="overview")),
        Operation("recall branch (offset 0)", recall(view="branch", branch=BRANCH, offset=0, limit=PAGE_LIMIT)),
        Operation("recall branch (offset 100)", recall(view="branch", branch=BRANCH, offset=100, limit=PAGE_LIMIT)),
        Operation("recall milestone (by id)", recall(view="milestone", milestoneId=s.milestone_id)),
        Operation("recall log", recall(view="log", branch=BRANCH)),
        Operation("recall metadata", recall(view="metadata", segment="bench")),
        Operation("get branch", lambda _: Request("GET", f"{s.base}/branches/{BRANCH}")),
        Operation("list branches", lambda _: Request("GET", f"{s.base}/branches")),
        # Without a query: the brief's own reads. With one it adds a project search (bench.search measures it).
        Operation("recall brief", recall(view="brief", branch=BRANCH)),
        # A branch created before log highlights existed (until 8 appends fill them): the log page is read too.
        Operation("recall brief (older)", recall(view="brief", branch=OLDER_BRANCH)),
    ]


def write_operations(s: Session) -> list[Operation]:
    first = seeded_fields(1)

    def prepare_merge(i: int) -> None:
        s.must(Request("POST", f"{s.base}/branches", branch_body(f"merge-{i}")))
        s.must(Request("POST", f"{s.base}/store", store_body(f"merge-{i}", f"work on merge-{i}")))

    def prepare_abandon(i: int) -> None:
        s.must(Request("POST", f"{s.base}/branches", branch_body(f"abandon-{i}")))

    return [
        Operation("store milestone", lambda i: Request("POST", f"{s.base}/store",
                                                       store_body(BRANCH, f"stored {s.size} #{i}")),
                  expect={"x-cairn-deduplicated": "false"}),
        Operation("store (dedup hit)", lambda _: Request("POST", f"{s.base}/store", {"branchName": BRANCH, **first}),
                  expect={"x-cairn-deduplicated": "true"}),
        Operation("append log", lambda i: Request("POST", f"{s.base}/log", {
            "branchName": BRANCH, "agentId": AGENT, "phase": "thought", "content": f"thought {i}"})),
        Operation("create branch", lambda i: Request("POST", f"{s.base}/branches", branch_body(f"bench-{i}"))),
        Operation("merge", lambda i: Request("POST", f"{s.base}/merge", {
            "sourceBranch": f"merge-{i}", "targetBranch": BRANCH, "mergeSummary": f"merged merge-{i}",
            "agentId": AGENT}), prepare_merge),
        Operation("abandon", lambda i: Request("POST", f"{s.base}/branches/abandon-{i}/abandon",
                                               {"reason": "benchmark"}), prepare_abandon),
        Operation("create project", lambda i: Request("POST", "/api/v1/memory/projects", {
            "projectId": f"created-{i}", "name": f"Created {i}", "roadmap": "benchmark"})),
        Operation("store large (S3 offload)", lambda i: Request("POST", f"{s.base}/store",
                                                                store_body(BRANCH, f"large #{i}", LARGE_TEXT))),
    ]


# --- measuring ---------------------------------------------------------------------------------------------


def measure(s: Session, recorder: Recorder, operation: Operation, iterations: int) -> dict[str, Any]:
    latencies: list[float] = []
    samples: list[Calls] = []
    errors: list[str] = []
    for i in range(WARMUP + iterations):
        if operation.prepare:
            operation.prepare(i)
        request = operation.request(i)
        recorder.take()
        started = time.perf_counter()
        response = s.call(request)
        calls = recorder.take()
        elapsed = time.perf_counter() - started - calls.overhead_seconds
        problem = unexpected(operation, response)
        if problem:
            errors.append(problem)
        if i >= WARMUP:
            latencies.append(elapsed * 1000)
            samples.append(calls)
    return summarize(operation.name, latencies, samples, errors)


def unexpected(operation: Operation, response: Any) -> str | None:
    if response.status_code != 200:
        return f"{response.status_code} {response.text[:200]}"
    for header, value in operation.expect.items():
        if response.headers.get(header) != value:
            return f"header {header}: {response.headers.get(header)!r}, expected {value!r}"
    return None


def summarize(name: str, latencies: list[float], samples: list[Calls], errors: list[str]) -> dict[str, Any]:
    totals = [sum(sample.dynamodb.values()) for sample in samples]
    apis = sorted({api for sample in samples for api in sample.dynamodb})
    s3_apis = sorted({api for sample in samples for api in sample.s3})
    scanned = [sample.scanned for sample in samples]
    return {
        "operation": name,
        "iterations": len(samples),
        "errors": len(errors),
        "error_examples": errors[:3],
        "dynamodb_calls": {"median": statistics.median(totals), "min": min(totals), "max": max(totals)},
        "dynamodb_calls_by_api": {api: statistics.median(s.dynamodb[api] for s in samples) for api in apis},
        "dynamodb_calls_by_api_max": {api: max(s.dynamodb[api] for s in samples) for api in apis},
        "dynamodb_reads_max": max(sum(s.dynamodb[api] for api in READ_APIS) for s in samples),
        "write_units": statistics.median(sample.write_units for sample in samples),
        "scanned_count": {"median": statistics.median(scanned), "max": max(scanned)},
        "returned_count": statistics.median(sample.returned for sample in samples),
        "s3_calls": {"median": statistics.median(sum(s.s3.values()) for s in samples),
                     "by_api": {api: statistics.median(s.s3[api] for s in samples) for api in s3_apis}},
        "latency_ms": {"p50": round(percentile(latencies, 50), 2), "p99": round(percentile(latencies, 99), 2),
                       "mean": round(statistics.fmean(latencies), 2)},
    }


def open_session(client: Any, size: int) -> Session:
    tenant = f"bench-tenant-{size}"
    token = mint(tenant, f"bench-user-{size}", ["agent", "admin"], secret=BENCH_SECRET)
    session = Session(client, size, tenant, f"bench-{size}", {"Authorization": f"Bearer {token}"})
    session.must(Request("POST", "/api/v1/memory/projects",
                         {"projectId": session.project, "name": f"Benchmark {size}", "roadmap": "benchmark"}))
    return session


def bench_size(client: Any, recorder: Recorder, size: int, iterations: int) -> dict[str, Any]:
    session = open_session(client, size)
    seeded = seed(session.tenant, session.project, size)
    session.milestone_id = seeded["milestoneId"]
    session.must(Request("PUT", f"{session.base}/metadata/bench", {"owner": "bench", "notes": ["a", "b"]}))
    session.must(Request("POST", f"{session.base}/branches", branch_body(OLDER_BRANCH)))
    for i in range(3):
        session.must(Request("POST", f"{session.base}/log", {
            "branchName": OLDER_BRANCH, "agentId": AGENT, "phase": "thought", "content": f"older thought {i}"}))
    forget_highlights(session.tenant, session.project, OLDER_BRANCH)
    print(f"  {size} milestones seeded in {seeded['seconds']} s; measuring {iterations} requests per operation",
          file=sys.stderr)
    # The default brief of the seeded branch (before the writes below add large milestones to it).
    brief = session.must(Request("GET", f"{session.base}/recall", params={"view": "brief", "branch": BRANCH}))
    results = []
    # Reads first, so that they see exactly `size` milestones and the one seeded branch.
    for operation in [*read_operations(session), *write_operations(session)]:
        started = time.perf_counter()
        results.append(measure(session, recorder, operation, iterations))
        print(f"    {operation.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return {"milestones": size, "log_entries": size, "seed_seconds": seeded["seconds"], "operations": results,
            "brief_tokens": brief["tokens"]}


def by_name(size_result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["operation"]: result for result in size_result["operations"]}


def run_operations_bench(iterations: int) -> list[dict[str, Any]]:
    with in_process_stack() as (client, recorder):
        return [bench_size(client, recorder, size, iterations) for size in SIZES]
