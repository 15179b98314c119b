"""Benchmark over HTTP against the dev server, the way users meet it: `make dev`'s server started as a
subprocess (a fresh state directory, a free port) or one already running (--url), measured from outside.

Per tenant size (10 and 10,000 milestones, seeded over HTTP by concurrent writers across projects and
branches): p50/p99 latency of store, log append, recall branch and per-project search; 20 concurrent
stores to one branch (each answered? numbered 1..20?); 50 writers across 5 branches; the server's RSS.
With --soak-minutes: mixed writes for that long, sampling RSS every 30 s (is it flat?).

    python -m cairn_local.bench.http [--json bench-results.json] [--url http://127.0.0.1:8000 --state-dir .cairn-local]
    python -m cairn_local.bench.http --soak-minutes 10

Latencies are the dev server's (uvicorn, the route groups, moto over HTTP); the DynamoDB calls behind each
request are counted by `python -m cairn_local.bench`. --json adds the figures to that file under "http"
(or "soak"), keeping what is there. Traffic goes to 127.0.0.1 only; the subprocess is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from cairn_local import ROOT
from cairn_local.bench.operations import PAGE_LIMIT, branch_body, store_body
from cairn_local.bench.recording import percentile
from cairn_local.bench.seeding import AGENT
from cairn_local.bench.server import DevServer
from cairn_local.tokens import mint

SIZES = (10, 10_000)
ITERATIONS = 50
WARMUP = 1  # requests per operation sent first and discarded
SEED_WRITERS = 8
SEED_PROJECTS = 4
SEED_BRANCHES = ("main", "seed")  # per project: 4 x 2 lanes, one writer per lane at a time
SEED_MINUTES = 20.0  # seeding budget per size; a slow server ends the seeding short (reported)
BURST_WRITERS = 20
SPREAD_WRITERS, SPREAD_BRANCHES = 50, 5
REQUEST_TIMEOUT = 60.0
MEASURE_SECONDS = 180.0  # per operation and size; a slow server answers fewer requests (reported)
MAX_RSS_MB = 4_096.0  # seeding stops (and measuring is skipped) above this, before the OOM killer picks a victim
SOAK_WRITERS = 4
SOAK_SAMPLE_SECONDS = 30.0
SOAK_FLAT_TOLERANCE = 0.10
SOAK_MAX_REQUESTS_PER_MINUTE = 60_000
WORDS = ("cache", "metrics", "tracing", "auth", "jwt", "redis", "index", "retry", "schema", "latency")
SEARCH_QUERY = "cache metrics latency"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


# --- the server under test ---------------------------------------------------------------------------------


@dataclass
class Target:
    """A dev server to measure: its URL, a token for the benchmark's tenant, its process id if known."""

    url: str
    token: str
    tenant: str
    pid: int | None


def bench_tenant() -> str:
    """A tenant of its own per run, so that runs against a long-lived server do not add up."""
    return f"bench-http-{secrets.token_hex(3)}"


def secret_from_state_dir(state_dir: Path) -> str:
    path = state_dir / "jwt-secret"
    if not path.exists():
        raise SystemExit(f"{path} not found: pass --token, or --state-dir of the running server")
    return path.read_text().strip()


@contextmanager
def spawned_server(workdir: Path, shutdown: dict[str, Any]) -> Iterator[Target]:
    """`make dev`'s server in a fresh state directory; stopped on the way out, whatever happened."""
    server = DevServer(workdir / "state", workdir / "devserver.log")
    server.state_dir.mkdir(parents=True)
    secret = secrets.token_urlsafe(32)
    (server.state_dir / "jwt-secret").write_text(secret)  # the file the dev server reads its secret from
    try:
        shutdown["ready_seconds"] = server.start()
        tenant = bench_tenant()
        yield Target(server.url, mint(tenant, "bench-http", ["agent", "admin"], secret=secret), tenant, server.pid)
    except BaseException:
        print(f"dev server output (last lines):\n{server.tail()}", file=sys.stderr)
        raise
    finally:
        shutdown["stop_seconds"] = server.stop()
        shutdown["exit_code"] = server.exit_code


def running_server(url: str, token: str | None, state_dir: Path, pid: int | None) -> Target:
    host = urlsplit(url).hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"--url must be a local dev server (127.0.0.1), not {host}")
    tenant = bench_tenant()
    token = token or mint(tenant, "bench-http", ["agent", "admin"], secret=secret_from_state_dir(state_dir))
    return Target(url.rstrip("/"), token, tenant, pid or listening_pid(urlsplit(url).port or 80))


# --- resident memory ---------------------------------------------------------------------------------------


def process_tree(pid: int, limit: int = 256) -> list[int]:
    """The process and its descendants (from /proc/<pid>/task/<tid>/children)."""
    found, pending = [], [pid]
    while pending and len(found) < limit:
        current = pending.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue
    return found


def rss_mb(pid: int | None) -> float | None:
    """VmRSS of the process and its children, in MB; None when unknown."""
    if pid is None:
        return None
    total_kb = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return round(total_kb / 1024, 1) if total_kb else None


def listening_pid(port: int) -> int | None:
    """The process (of ours) listening on 127.0.0.1:port, found through /proc/net/tcp and fd links."""
    wanted = f"0100007F:{port:04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        inodes |= {f"socket:[{row.split()[9]}]" for row in rows
                   if row.split()[3] == "0A" and row.split()[1] in (wanted, f"00000000:{port:04X}")}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                return int(fd_dir.parent.name)
        except OSError:
            continue
    return None


# --- requests ----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int  # 0: no answer (timeout or transport error)
    ms: float
    body: Any = None
    error: str = ""


@dataclass
class Api:
    """An HTTP client on one server and tenant, shared by the writer threads."""

    client: httpx.Client
    tenant: str
    pid: int | None
    milestones: int = 0  # stored by this run in the tenant
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Outcome:
        started = time.perf_counter()
        try:
            response = self.client.request(method, path, json=body, params=params)
        except httpx.TimeoutException:
            return Outcome(0, elapsed_ms(started), error="timeout")
        except httpx.TransportError as error:
            return Outcome(0, elapsed_ms(started), error=type(error).__name__)
        ms = elapsed_ms(started)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code != 200:
            return Outcome(response.status_code, ms, payload, response.text[:200])
        return Outcome(200, ms, payload)

    def must(self, method: str, path: str, body: Any = None) -> Any:
        outcome = self.call(method, path, body)
        if outcome.status != 200:
            raise RuntimeError(f"set-up {method} {path}: {outcome.status} {outcome.error}")
        return outcome.body

    def store(self, project: str, branch: str, text: str) -> Outcome:
        outcome = self.call("POST", project_path(project, "store"), store_body(branch, text, progress=text))
        if outcome.status == 200:
            with self.lock:
                self.milestones += 1
        return outcome


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def project_path(project: str, *rest: str) -> str:
    return "/".join(["/api/v1/memory/projects", project, *rest])


def contribution(label: str, i: int) -> str:
    """A distinct text per store (no dedup), with words that search can find."""
    picked = " ".join(WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7))
    return f"{label} #{i}: {picked}"


@contextmanager
def open_api(target: Target, timeout: float) -> Iterator[Api]:
    limits = httpx.Limits(max_connections=SPREAD_WRITERS + 4, max_keepalive_connections=SPREAD_WRITERS + 4)
    with httpx.Client(base_url=target.url, headers={"Authorization": f"Bearer {target.token}"}, timeout=timeout,
                      limits=limits) as client:
        yield Api(client, target.tenant, target.pid)


def create_projects(api: Api, count: int) -> list[str]:
    projects = [f"{api.tenant}-p{i}" for i in range(count)]
    for project in projects:
        api.must("POST", "/api/v1/memory/projects", {"projectId": project, "name": project, "roadmap": "benchmark"})
        for branch in SEED_BRANCHES[1:]:
            api.must("POST", project_path(project, "branches"), branch_body(branch))
    return projects


# --- seeding -----------------------------------------------------------------------------------------------


def seed(api: Api, projects: list[str], count: int, writers: int, budget_seconds: float,
         max_rss_mb: float) -> dict[str, Any]:
    """`count` stores spread over every project and branch by `writers` threads, within the budget."""
    lanes = [(project, branch) for project in projects for branch in SEED_BRANCHES]
    stop_reason: list[str] = []
    statuses: Counter[int] = Counter()
    counting = threading.Lock()
    started = time.monotonic()

    def lane_writer(lane: int) -> None:
        project, branch = lanes[lane]
        for i in range(lane, count, len(lanes)):
            if stop_reason:
                return
            status = api.store(project, branch, contribution(f"seed {branch}", i)).status
            with counting:
                statuses[status] += 1

    with ThreadPoolExecutor(max_workers=min(writers, len(lanes))) as pool:
        futures = [pool.submit(lane_writer, lane) for lane in range(len(lanes))]
        try:
            while not all(future.done() for future in futures):
                rss = rss_mb(api.pid)
                if time.monotonic() - started > budget_seconds:
                    stop_reason.append(f"seeding budget of {budget_seconds:.0f} s spent")
                elif rss is not None and rss > max_rss_mb:
                    stop_reason.append(f"dev server RSS {rss:.0f} MB over {max_rss_mb:.0f} MB")
                time.sleep(0.5)
        except BaseException:  # Ctrl-C: the writers end after their request in flight
            stop_reason.append("interrupted")
            raise
        for future in futures:
            future.result()
    seconds = time.monotonic() - started
    stored = statuses[200]
    return {"requested": count, "stored": stored, "statuses": status_counts(statuses), "writers": writers,
            "lanes": len(lanes), "seconds": round(seconds, 1),
            "stores_per_second": round(stored / seconds, 1) if seconds else None,
            "stopped": stop_reason[0] if stop_reason else None}


def status_counts(statuses: Counter[int]) -> dict[str, int]:
    return {str(status): n for status, n in sorted(statuses.items())}


# --- measuring ---------------------------------------------------------------------------------------------


def operations(api: Api, project: str, size: int) -> list[tuple[str, Callable[[int], Outcome]]]:
    return [
        ("recall branch", lambda _: api.call("GET", project_path(project, "recall"),
                                             params={"view": "branch", "branch": "main", "limit": PAGE_LIMIT})),
        ("search", lambda _: api.call("POST", project_path(project, "search"), {"query": SEARCH_QUERY, "limit": 10})),
        ("store milestone", lambda i: api.store(project, "main", contribution(f"measured at {size}", i))),
        ("log append", lambda i: api.call("POST", project_path(project, "log"), {
            "branchName": "main", "agentId": AGENT, "phase": "thought", "content": f"thought {size} #{i}"})),
    ]


def latency_summary(name: str, outcomes: list[Outcome]) -> dict[str, Any]:
    latencies = [outcome.ms for outcome in outcomes]
    statuses = Counter(outcome.status for outcome in outcomes)
    return {"operation": name, "requests": len(outcomes), "statuses": status_counts(statuses),
            "all_200": statuses[200] == len(outcomes), "errors": sorted({o.error for o in outcomes if o.error})[:3],
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "max_ms": max(latencies),
            "mean_ms": round(statistics.fmean(latencies), 2)}


def measure(name: str, request: Callable[[int], Outcome], iterations: int) -> dict[str, Any]:
    """`iterations` requests after the warm-up, or fewer if the operation's time budget runs out."""
    deadline = time.monotonic() + MEASURE_SECONDS
    outcomes = []
    for i in range(WARMUP + iterations):
        outcomes.append(request(i))
        if i >= WARMUP and time.monotonic() > deadline:
            break
    return {**latency_summary(name, outcomes[WARMUP:]), "cut_short": len(outcomes) < WARMUP + iterations}


def concurrent_stores(api: Api, project: str, branches: list[str], writers: int) -> dict[str, Any]:
    """`writers` stores released together, round-robin over fresh branches; the acknowledged stores of each
    branch must be numbered 1..n (n = its 200s; the other statuses are reported apart)."""
    for branch in branches:
        api.must("POST", project_path(project, "branches"), branch_body(branch))
    barrier = threading.Barrier(writers, timeout=30)

    def write(i: int) -> tuple[str, Outcome]:
        branch = branches[i % len(branches)]
        barrier.wait()
        return branch, api.store(project, branch, contribution(f"concurrent on {branch}", i))

    with ThreadPoolExecutor(max_workers=writers) as pool:
        results = list(pool.map(write, range(writers)))
    outcomes = [outcome for _, outcome in results]
    acknowledged = {branch: sorted((o.body or {}).get("sequenceNumber", 0) for b, o in results
                                   if b == branch and o.status == 200) for branch in branches}
    numbered = all(numbers == list(range(1, len(numbers) + 1)) for numbers in acknowledged.values())
    return {**latency_summary(f"{writers} concurrent stores on {len(branches)} branch(es)", outcomes),
            "writers": writers, "branches": len(branches), "numbered_1_to_n": numbered,
            "latencies_ms": sorted(outcome.ms for outcome in outcomes)}


def bench_size(api: Api, projects: list[str], size: int, options: argparse.Namespace,
               rss: list[dict[str, Any]]) -> dict[str, Any]:
    print(f"  seeding the tenant up to {size:,} milestones", file=sys.stderr)
    seeded = seed(api, projects, max(0, size - api.milestones), options.seed_writers, options.seed_minutes * 60,
                  options.max_rss_mb)
    seeded["tenant_milestones"] = api.milestones
    rss.append(sample(api, f"after seeding {size:,}"))
    print(f"  seeded {seeded['stored']} in {seeded['seconds']} s ({seeded['stores_per_second']}/s)"
          f"{'; ' + seeded['stopped'] if seeded['stopped'] else ''}", file=sys.stderr)
    if (rss[-1]["rss_mb"] or 0) > options.max_rss_mb:  # more writes could take the machine's memory
        return {"size": size, "seeding": seeded, "skipped": f"dev server RSS {rss[-1]['rss_mb']} MB after seeding"}
    project = projects[0]
    measured = []
    for name, request in operations(api, project, size):
        started = time.monotonic()
        measured.append(measure(name, request, options.iterations))
        print(f"    {name}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    burst = concurrent_stores(api, project, [f"burst-{size}"], options.burst_writers)
    spread = concurrent_stores(api, project, [f"spread-{size}-{k}" for k in range(options.spread_branches)],
                               options.spread_writers)
    rss.append(sample(api, f"after measuring at {size:,}"))
    return {"size": size, "seeding": seeded, "operations": measured, "burst": burst, "spread": spread}


def sample(api: Api, label: str) -> dict[str, Any]:
    return {"at": label, "rss_mb": rss_mb(api.pid), "tenant_milestones": api.milestones}


def run_bench(target: Target, options: argparse.Namespace) -> dict[str, Any]:
    with open_api(target, options.timeout) as api:
        rss = [sample(api, "before seeding")]
        projects = create_projects(api, SEED_PROJECTS)
        sizes: list[dict[str, Any]] = []
        for size in options.sizes:
            sizes.append(bench_size(api, projects, size, options, rss))
            if "skipped" in sizes[-1]:
                break
    return {"url": target.url, "pid": target.pid, "tenant": target.tenant, "iterations": options.iterations,
            "warmup": WARMUP, "sizes": sizes, "rss": rss}


# --- soak --------------------------------------------------------------------------------------------------


def soak_writes(api: Api, project: str, writer: int) -> list[tuple[str, Callable[[int], Outcome]]]:
    """The transactional writes of the memory API, each kind in turn."""
    dedup = store_body("main", "the same contribution, stored again", progress="soak")
    return [
        ("store", lambda i: api.store(project, "main", contribution(f"soak w{writer}", i))),
        ("log append", lambda i: api.call("POST", project_path(project, "log"), {
            "branchName": "main", "agentId": AGENT, "phase": "action", "content": f"soak w{writer} #{i}"})),
        ("branch create", lambda i: api.call("POST", project_path(project, "branches"),
                                             branch_body(f"soak-w{writer}-{i}"))),
        ("metadata put", lambda i: api.call("PUT", project_path(project, "metadata", f"soak-{i % 5}"),
                                            {"writer": writer, "round": i, "notes": ["soak"] * 3})),
        ("store (dedup)", lambda _: api.call("POST", project_path(project, "store"), dedup)),
    ]


def soak(target: Target, minutes: float, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + minutes * 60
    budget = int(minutes * SOAK_MAX_REQUESTS_PER_MINUTE / SOAK_WRITERS) + 1
    outcomes: dict[str, list[Outcome]] = {}
    with open_api(target, timeout) as api:
        project = create_projects(api, 1)[0]
        started = time.monotonic()
        samples = [{"seconds": 0.0, **sample(api, "start")}]

        stopping = threading.Event()

        def writer(w: int) -> None:
            kinds = soak_writes(api, project, w)
            for i in range(budget):
                if stopping.is_set() or time.monotonic() >= deadline:
                    return
                name, request = kinds[i % len(kinds)]
                outcomes.setdefault(name, []).append(request(i // len(kinds)))

        with ThreadPoolExecutor(max_workers=SOAK_WRITERS) as pool:
            futures = [pool.submit(writer, w) for w in range(SOAK_WRITERS)]
            try:
                while time.monotonic() < deadline and not all(future.done() for future in futures):
                    time.sleep(min(SOAK_SAMPLE_SECONDS, max(0.0, deadline - time.monotonic())))
                    elapsed = round(time.monotonic() - started, 1)
                    samples.append({"seconds": elapsed, **sample(api, f"{elapsed:.0f} s")})
                    print(f"  soak {elapsed:.0f} s: RSS {samples[-1]['rss_mb']} MB", file=sys.stderr)
            finally:
                stopping.set()
            for future in futures:
                future.result(timeout=timeout + 5)
    return {"url": target.url, "pid": target.pid, "minutes": minutes, "writers": SOAK_WRITERS,
            "operations": [latency_summary(name, found) for name, found in outcomes.items()],
            "rss_samples": samples, **flatness(samples)}


def flatness(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Flat: the last sample within 10% of the first one taken after a minute (warm-up excluded)."""
    known = [s for s in samples if s["rss_mb"] is not None]
    warm = next((s for s in known if s["seconds"] >= 60), None)
    if warm is None or warm is known[-1]:
        return {"rss_flat": None, "rss_growth": None}
    growth = (known[-1]["rss_mb"] - warm["rss_mb"]) / warm["rss_mb"]
    return {"rss_flat": growth <= SOAK_FLAT_TOLERANCE, "rss_growth": round(growth, 3)}


# --- report ------------------------------------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    sizes = [size for size in report["sizes"] if "operations" in size]
    head = "operation        |" + "|".join(f"{size['size']:,} milestones in the tenant".center(34) for size in sizes)
    sub = "                 |" + "|".join("  p50 ms  p99 ms  max ms   200/all" for _ in sizes)
    lines = [f"Over HTTP against the dev server at {report['url']} (pid {report['pid']}), "
             f"{report['iterations']} requests per operation", head, sub, "-" * len(sub)]
    for index, operation in enumerate(sizes[0]["operations"]):
        cells = [size["operations"][index] for size in sizes]
        lines.append(f"{operation['operation']:<17}|" + "|".join(latency_cell(c) for c in cells))
    lines += [f"at {size['size']:,}, {c['operation']}: statuses {c['statuses']}, e.g. {c['errors']}"
              for size in sizes for c in size["operations"] if not c["all_200"]]
    for size in report["sizes"]:
        s = size["seeding"]
        lines.append(f"seeding to {size['size']:,}: {s['stored']:,} stores in {s['seconds']} s "
                     f"({s['stores_per_second']}/s, {s['writers']} writers over {s['lanes']} branches)"
                     f"{'; STOPPED: ' + s['stopped'] if s['stopped'] else ''}; statuses {s['statuses']}")
        if "skipped" in size:
            lines.append(f"at {size['size']:,}: not measured, {size['skipped']}")
            continue
        for key in ("burst", "spread"):
            c = size[key]
            lines.append(f"at {size['size']:,}, {c['operation']}: statuses {c['statuses']}, numbered 1..n: "
                         f"{'yes' if c['numbered_1_to_n'] else 'NO'}, p50 {c['p50_ms']:.0f} ms, "
                         f"max {c['max_ms']:.0f} ms")
    lines.append("dev server RSS (MB): " + ", ".join(f"{r['at']} {r['rss_mb']}" for r in report["rss"]))
    return "\n".join(lines)


def latency_cell(c: dict[str, Any]) -> str:
    return f"{c['p50_ms']:8.1f}{c['p99_ms']:8.1f}{c['max_ms']:8.1f} {c['statuses'].get('200', 0):>4}/{c['requests']:<4}"


def render_soak(report: dict[str, Any]) -> str:
    lines = [f"Soak: {report['minutes']} min of mixed writes by {report['writers']} writers at {report['url']}",
             "operation        requests  p50 ms  p99 ms  max ms  statuses"]
    lines += [f"{o['operation']:<17}{o['requests']:>8}{o['p50_ms']:8.1f}{o['p99_ms']:8.1f}{o['max_ms']:8.1f}  "
              f"{o['statuses']}" for o in report["operations"]]
    samples = report["rss_samples"]
    lines.append("RSS (MB) by second: " + ", ".join(f"{s['seconds']:.0f}: {s['rss_mb']}" for s in samples))
    lines.append(f"flat (last within {SOAK_FLAT_TOLERANCE:.0%} of the 1-minute sample): {report['rss_flat']} "
                 f"(growth {report['rss_growth']})")
    return "\n".join(lines)


def merge_into(path: Path, key: str, value: dict[str, Any]) -> None:
    """Adds `key` to the JSON document `make bench` wrote (or starts one), keeping everything else."""
    document: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            document = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            document = {}
    document[key] = value
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


# --- main --------------------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", type=Path, help='add the figures to this JSON file ("http")')
    parser.add_argument("--url", help="measure this running dev server instead of starting one")
    parser.add_argument("--token", help="with --url: a token (else minted from --state-dir's jwt-secret)")
    parser.add_argument("--state-dir", type=Path, default=ROOT / ".cairn-local", help="with --url: its state dir")
    parser.add_argument("--pid", type=int, help="with --url: the server's process (else found by its port)")
    parser.add_argument("--sizes", type=lambda v: [int(s) for s in v.split(",")], default=list(SIZES),
                        help="tenant sizes in milestones, comma-separated (default 10,10000)")
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help="requests per operation")
    parser.add_argument("--seed-writers", type=int, default=SEED_WRITERS)
    parser.add_argument("--seed-minutes", type=float, default=SEED_MINUTES, help="seeding budget per size")
    parser.add_argument("--burst-writers", type=int, default=BURST_WRITERS, help="concurrent stores on one branch")
    parser.add_argument("--spread-writers", type=int, default=SPREAD_WRITERS)
    parser.add_argument("--spread-branches", type=int, default=SPREAD_BRANCHES)
    parser.add_argument("--timeout", type=float, default=REQUEST_TIMEOUT, help="per request, in seconds")
    parser.add_argument("--max-rss-mb", type=float, default=MAX_RSS_MB, help="stop seeding above this server RSS")
    parser.add_argument("--soak-minutes", type=float, help="instead: mixed writes for this long, RSS every 30 s")
    return parser.parse_args(argv)


@contextmanager
def target_for(options: argparse.Namespace, shutdown: dict[str, Any]) -> Iterator[Target]:
    if options.url:
        yield running_server(options.url, options.token, options.state_dir, options.pid)
        return
    with tempfile.TemporaryDirectory(prefix="cairn-bench-http-") as workdir, \
            spawned_server(Path(workdir), shutdown) as target:
        yield target


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = parse_arguments(argv)
    started = time.monotonic()
    shutdown: dict[str, Any] = {}
    key = "soak" if options.soak_minutes else "http"
    with target_for(options, shutdown) as target:
        print(f"{key}: dev server at {target.url} (pid {target.pid})", file=sys.stderr)
        if options.soak_minutes:
            report = soak(target, options.soak_minutes, options.timeout)
        else:
            report = run_bench(target, options)
    report.update({"generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "spawned": not options.url,
                   "server": shutdown, "seconds": round(time.monotonic() - started, 1)})
    print(render_soak(report) if options.soak_minutes else render(report))
    if options.json:
        merge_into(options.json, key, report)
    print(f"\n{key} finished in {report['seconds']} s", file=sys.stderr)
    return report


if __name__ == "__main__":
    main()
