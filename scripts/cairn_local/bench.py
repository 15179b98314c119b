"""Benchmark: DynamoDB and S3 calls, ScannedCount and latency per API operation, at a branch of
10 and of 10,000 milestones; and the cold import time of every function in template.yaml.

Requests take the real HTTP path (gateway -> the route group's FastAPI app -> store) over an
in-process moto, with the patches every local use of moto gets (emulator.install_patches: a Query
reads its partition, a transaction copies only its items). Call counts and ScannedCount carry over to
AWS; latencies are moto's.

    python -m cairn_local.bench [--json PATH] [--quick] [--only search]

Search (per project at 1,000 and 20,000 milestones, across 50 projects, relevance): bench_search.py.

The exit code is 0 even when a target fails: this is a report, and failures are listed in it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cairn_local import ROOT, bench_search, template
from cairn_local.emulator import (
    MOTO_CONFIG,
    aws_environment,
    install_patches,
    provision,
    reset_cairn_caches,
    use_emulator_environment,
)
from cairn_local.resolve import LocalNames
from cairn_local.tokens import local_jwt_environment, mint

SIZES = (10, 10_000)
ITERATIONS, QUICK_ITERATIONS = 50, 10
IMPORT_RUNS, QUICK_IMPORT_RUNS = 5, 3
WARMUP = 1  # iterations run first and discarded (route group import, first boto3 request)
IMPORT_TARGET_SECONDS = 1.2
BENCH_SECRET = "bench-secret-" + "x" * 32
BRANCH = "main"
AGENT = "bench-agent"
BATCH_WRITE_SIZE = 25
PAGE_LIMIT = 10
LARGE_TEXT = "é" * 40_000  # 80,000 UTF-8 bytes, over the 64 KB inline limit: the texts go to S3
READ_APIS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
API_ABBREVIATIONS = {"GetItem": "G", "BatchGetItem": "BG", "Query": "Q", "Scan": "S", "PutItem": "P",
                     "UpdateItem": "U", "DeleteItem": "D", "TransactWriteItems": "TW", "TransactGetItems": "TG",
                     "BatchWriteItem": "BW"}


# --- environment -------------------------------------------------------------------------------------------


def provision_stack() -> None:
    """Table, bucket and state machines from template.yaml in the running moto; functions' environment."""
    install_patches()
    reset_cairn_caches()
    os.environ.update(provision(LocalNames()))
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    reset_cairn_caches()


# --- call recording ----------------------------------------------------------------------------------------


@dataclass
class Calls:
    """What one request cost: API calls by name, and the items DynamoDB read (ScannedCount) and returned."""

    dynamodb: Counter[str] = field(default_factory=Counter)
    s3: Counter[str] = field(default_factory=Counter)
    scanned: int = 0
    returned: int = 0


class Recorder:
    """botocore ``after-call`` hooks on the shared clients (the ones the store uses)."""

    def __init__(self) -> None:
        self.calls = Calls()

    def install(self) -> None:
        from cairn.aws import clients

        clients.dynamodb().meta.events.register("after-call.dynamodb", self._on_dynamodb)
        clients.s3().meta.events.register("after-call.s3", self._on_s3)

    def take(self) -> Calls:
        taken, self.calls = self.calls, Calls()
        return taken

    def _on_dynamodb(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.calls.dynamodb[model.name] += 1
        self.calls.scanned += int(parsed.get("ScannedCount", 0))
        self.calls.returned += int(parsed.get("Count", 0))

    def _on_s3(self, model: Any, **_: Any) -> None:
        self.calls.s3[model.name] += 1


# --- seeding -----------------------------------------------------------------------------------------------


def seeded_fields(sequence: int) -> dict[str, Any]:
    return {"branchPurpose": "Benchmark the memory API", "cumulativeProgress": f"progress up to {sequence}",
            "thisContribution": f"contribution {sequence}", "agentId": AGENT, "agentType": "custom"}


def stream_items(tenant: str, project_id: str, sequence: int) -> list[dict[str, Any]]:
    """Milestone ``sequence`` of the branch, its hash guard and log entry ``sequence``, shaped as
    ``milestones.store`` and ``logs.append`` write them."""
    from cairn.aws.keys import ProjectRef
    from cairn.core import ids
    from cairn.core.clock import utc_now
    from cairn.memory.domain.milestones import content_digest
    from cairn.memory.store.keys import entry_sk, hash_guard_sk, log_head_sk
    from cairn.memory.store.milestones import TEXT_FIELDS, new_item, stored_items

    fields = seeded_fields(sequence)
    digest = content_digest(*(fields[name] for name in TEXT_FIELDS))
    ref = ProjectRef(tenant, project_id)
    milestone = new_item(ref, BRANCH, sequence, fields, digest)
    pk = ref.pk
    guard = {"PK": pk, "SK": hash_guard_sk(digest), "entity": "hash-guard", "milestoneSk": milestone["SK"]}
    entry = {"PK": pk, "SK": entry_sk(log_head_sk(BRANCH), sequence), "entity": "log-entry",
             "entryId": ids.log_entry_id(), "projectId": project_id, "branchName": BRANCH, "agentId": AGENT,
             "phase": "observation", "content": f"observation {sequence}", "sequenceNumber": sequence,
             "createdAt": utc_now()}
    return [*stored_items(milestone), guard, entry]


def batch_write(items: Iterable[dict[str, Any]]) -> None:
    from cairn.aws import clients
    from cairn.aws.table import marshal
    from cairn.core.settings import get_settings

    name = get_settings().table_name
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append({"PutRequest": {"Item": marshal(item)}})
        if len(batch) == BATCH_WRITE_SIZE:
            _write_batch(clients.dynamodb(), name, batch)
            batch = []
    if batch:
        _write_batch(clients.dynamodb(), name, batch)


def _write_batch(client: Any, table_name: str, batch: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table_name: batch}
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def seed(tenant: str, project_id: str, count: int) -> dict[str, Any]:
    """``count`` milestones and ``count`` log entries on the main branch of a fresh project.

    Written with BatchWriteItem (25 items a call) rather than ``milestones.store`` in a loop: store
    is a GetItem and a TransactWriteItems per milestone, about 30,000 moto requests for the big
    branch against about 1,200 here. The items are the ones store and append build (``new_item``,
    the hash guard, the log entry); the heads' counters and the project's milestoneCount are then
    set to match, so that paging, deduplication and the next store behave as after real stores.
    """
    from cairn.aws.keys import PROJECT_SK, project_pk
    from cairn.aws.table import table
    from cairn.memory.store.keys import log_head_sk, milestone_head_sk

    started = time.perf_counter()
    newest: dict[str, Any] = {}

    def items() -> Iterator[dict[str, Any]]:
        for sequence in range(1, count + 1):
            written = stream_items(tenant, project_id, sequence)
            newest.update(written[0])
            yield from written

    batch_write(items())
    pk = project_pk(tenant, project_id)
    db = table()
    db.update(pk, milestone_head_sk(BRANCH), "SET msSeq = :n", values={":n": count})
    db.update(pk, log_head_sk(BRANCH), "SET logSeq = :n", values={":n": count})
    db.update(pk, PROJECT_SK, "SET milestoneCount = :n", values={":n": count})
    return {"seconds": round(time.perf_counter() - started, 2), "milestoneId": newest["milestoneId"]}


# --- operations --------------------------------------------------------------------------------------------


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


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


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
        elapsed = time.perf_counter() - started
        calls = recorder.take()
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
    print(f"  {size} milestones seeded in {seeded['seconds']} s; measuring {iterations} requests per operation",
          file=sys.stderr)
    results = []
    # Reads first, so that they see exactly `size` milestones and the one seeded branch.
    for operation in [*read_operations(session), *write_operations(session)]:
        started = time.perf_counter()
        results.append(measure(session, recorder, operation, iterations))
        print(f"    {operation.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return {"milestones": size, "log_entries": size, "seed_seconds": seeded["seconds"], "operations": results}


def run_http_bench(iterations: int) -> list[dict[str, Any]]:
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        provision_stack()
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

        from cairn_local import handlers
        from cairn_local.gateway import Gateway

        recorder = Recorder()
        recorder.install()
        for function in template.functions():
            handlers.module(function.logical_id)  # import every route group before timing anything
        with TestClient(Gateway(), raise_server_exceptions=False) as client:
            return [bench_size(client, recorder, size, iterations) for size in SIZES]


# --- cold imports ------------------------------------------------------------------------------------------

_IMPORT_PROBE = ("import importlib, sys, time\n"
                 "started = time.perf_counter()\n"
                 "importlib.import_module(sys.argv[1])\n"
                 "print(time.perf_counter() - started)\n")


def lambda_environment(function: template.Function) -> dict[str, str]:
    """Roughly what Lambda gives the handler's process: the template's variables, region, the task root
    (with it Powertools Tracer is enabled and patches as it does in Lambda), and the layer on the path."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **aws_environment(),
                   **LocalNames().environment(), **local_jwt_environment()}
    environment.update({"PYTHONPATH": f"{ROOT / 'layers' / 'cairn'}{os.pathsep}{function.code_uri}",
                        "LAMBDA_TASK_ROOT": str(function.code_uri), "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
                        "POWERTOOLS_LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1"})
    return environment


def import_seconds(function: template.Function) -> float:
    module = function.handler.rsplit(".", 1)[0]
    completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed probe
        [sys.executable, "-c", _IMPORT_PROBE, module], cwd=function.code_uri, env=lambda_environment(function),
        capture_output=True, text=True, check=True, timeout=120)
    return float(completed.stdout.strip().splitlines()[-1])


def run_import_bench(runs: int) -> list[dict[str, Any]]:
    results = []
    for function in template.functions():
        seconds = [import_seconds(function) for _ in range(runs)]
        median = statistics.median(seconds)
        results.append({"function": function.logical_id, "code_uri": str(function.code_uri.relative_to(ROOT)),
                        "runs": [round(s, 3) for s in seconds], "median_seconds": round(median, 3),
                        "target_seconds": IMPORT_TARGET_SECONDS, "passed": median < IMPORT_TARGET_SECONDS})
    return results


# --- targets -----------------------------------------------------------------------------------------------

ONE_CALL = ("get project", "get branch", "recall overview", "recall branch (offset 0)", "recall milestone (by id)",
            "recall log", "recall metadata")
# A page past the newest reads the head's counter first, so that its Query starts at the page's exact key
# (ScannedCount = limit) instead of skipping ``offset`` items server-side (docs/key-design.md).
TWO_CALLS = ("recall branch (offset 100)",)
BOUNDED_SCAN = {"recall branch (offset 0)": PAGE_LIMIT, "recall branch (offset 100)": PAGE_LIMIT,
                "recall log": 20}


def check(target: str, operation: str, size: int | str, passed: bool, detail: str) -> dict[str, Any]:
    return {"target": target, "operation": operation, "size": size, "passed": passed, "detail": detail}


def by_name(size_result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["operation"]: result for result in size_result["operations"]}


def size_checks(size: int, results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    store = results["store milestone"]
    writes = store["dynamodb_calls_by_api_max"].get("TransactWriteItems", 0)
    found = [check("store: exactly 1 TransactWriteItems, at most 1 read", "store milestone", size,
                   writes == 1 and store["dynamodb_reads_max"] <= 1,
                   f"TransactWriteItems={writes}, reads={store['dynamodb_reads_max']}, "
                   f"by API={store['dynamodb_calls_by_api_max']}")]
    for name in ONE_CALL:
        calls = results[name]["dynamodb_calls"]["max"]
        found.append(check("1 DynamoDB call", name, size, calls == 1,
                           f"{calls} calls ({results[name]['dynamodb_calls_by_api_max']})"))
    for name in TWO_CALLS:
        calls = results[name]["dynamodb_calls"]["max"]
        found.append(check("at most 2 DynamoDB calls (head GetItem + the page's Query)", name, size, calls <= 2,
                           f"{calls} calls ({results[name]['dynamodb_calls_by_api_max']})"))
    for result in results.values():
        if result["errors"]:
            found.append(check("every request answers 200", result["operation"], size, False,
                               f"{result['errors']} errors, e.g. {result['error_examples'][0]}"))
    return found


def scan_checks(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    small, large = by_name(sizes[0]), by_name(sizes[-1])
    found = []
    for name, limit in BOUNDED_SCAN.items():
        before, after = small[name]["scanned_count"]["max"], large[name]["scanned_count"]["max"]
        bound = max(before, limit + 1)  # a page and its head, whatever the branch's length
        found.append(check(f"ScannedCount does not grow with the branch (<= max(small, {limit}+1))", name,
                           f"{sizes[0]['milestones']}->{sizes[-1]['milestones']}", after <= bound,
                           f"{before} -> {after}"))
    return found


def import_checks(imports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [check(f"cold import < {IMPORT_TARGET_SECONDS} s", entry["function"], "-", entry["passed"],
                  f"median {entry['median_seconds']} s") for entry in imports]


def all_checks(sizes: list[dict[str, Any]], imports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [c for size in sizes for c in size_checks(size["milestones"], by_name(size))]
    return [*found, *scan_checks(sizes), *import_checks(imports)]


# --- output ------------------------------------------------------------------------------------------------


def api_summary(result: dict[str, Any]) -> str:
    parts = [f"{count:g}{API_ABBREVIATIONS.get(api, api)}" for api, count in result["dynamodb_calls_by_api"].items()
             if count]
    return " ".join(parts) or "-"


def cell(result: dict[str, Any]) -> str:
    calls = result["dynamodb_calls"]
    latency = result["latency_ms"]
    s3 = result["s3_calls"]["median"]
    errors = f" ERR{result['errors']}" if result["errors"] else ""
    return (f"{calls['median']:>4g} {api_summary(result):<13} {result['scanned_count']['median']:>5g} "
            f"{s3:>3g} {latency['p50']:>7.1f} {latency['p99']:>7.1f}{errors}")


def render_table(sizes: list[dict[str, Any]]) -> str:
    header_cell = f"{'ddb':>4} {'by API':<13} {'scan':>5} {'s3':>3} {'p50 ms':>7} {'p99 ms':>7}"
    width = len(header_cell)
    lines = ["operation".ljust(28) + " | " + " | ".join(f"{s['milestones']:,} milestones".center(width) for s in sizes),
             " " * 28 + " | " + " | ".join(header_cell for _ in sizes),
             "-" * (28 + (width + 3) * len(sizes))]
    tables = [by_name(size) for size in sizes]
    for name in tables[0]:
        lines.append(name.ljust(28) + " | " + " | ".join(cell(results[name]) for results in tables))
    legend = ", ".join(f"{short}={api}" for api, short in API_ABBREVIATIONS.items())
    lines.append(f"ddb, scan, s3: median per request; {legend}")
    return "\n".join(lines)


def render_imports(imports: list[dict[str, Any]]) -> str:
    lines = ["cold import (median of runs, s)"]
    for entry in imports:
        runs = ", ".join(f"{run:.3f}" for run in entry["runs"])
        lines.append(f"  {entry['function']:<28} {entry['median_seconds']:.3f}  [{runs}]")
    return "\n".join(lines)


def render_checks(checks: list[dict[str, Any]]) -> str:
    lines = ["targets"]
    for c in checks:
        verdict = "PASS" if c["passed"] else "FAIL"
        lines.append(f"  {verdict}  {c['operation']:<28} [{c['size']}] {c['target']}: {c['detail']}")
    failed = sum(not c["passed"] for c in checks)
    lines.append(f"{len(checks) - failed} passed, {failed} failed")
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", help="also write every result to this JSON file")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ITERATIONS} requests per operation and {QUICK_IMPORT_RUNS} import runs")
    parser.add_argument("--iterations", type=int, help="requests per operation (overrides --quick)")
    parser.add_argument("--only", choices=["search"], help="run one section alone (search: bench_search.py)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    iterations = arguments.iterations or (QUICK_ITERATIONS if arguments.quick else ITERATIONS)
    runs = QUICK_IMPORT_RUNS if arguments.quick else IMPORT_RUNS
    use_emulator_environment(BENCH_SECRET)
    started = time.perf_counter()
    imports: list[dict[str, Any]] = []
    sizes: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    if arguments.only is None:
        print(f"cold imports ({runs} runs per function)", file=sys.stderr)
        imports = run_import_bench(runs)
        print(f"HTTP operations at {', '.join(f'{size:,}' for size in SIZES)} milestones", file=sys.stderr)
        sizes = run_http_bench(iterations)
        checks = all_checks(sizes, imports)
        print(render_table(sizes), render_imports(imports), sep="\n\n", end="\n\n")
    print("search: per project, across projects, relevance", file=sys.stderr)
    searched = bench_search.run_search_bench(iterations)
    checks += bench_search.search_checks(searched)
    print(bench_search.render_search(searched), render_checks(checks), sep="\n\n")
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "platform": platform.platform(),
        "iterations": iterations, "warmup": WARMUP, "import_runs": runs, "quick": arguments.quick,
        "note": "latencies are in-process moto's; call counts and ScannedCount are what carry over to DynamoDB",
        "sizes": sizes, "imports": imports, "search": searched, "checks": checks,
        "failures": [c for c in checks if not c["passed"]],
        "seconds": round(time.perf_counter() - started, 1),
    }
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.write("\n")
    print(f"\nfinished in {document['seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
