"""`make bench`: DynamoDB and S3 calls, ScannedCount and latency per operation at a branch of 10 and of 10,000
milestones (bench.operations); the cold import time of every function in template.yaml (bench.imports); search per
project, across projects and its relevance (bench.search); the AWS calls per ingested page of a source sync and
the time to sync 10,000 Slack messages (bench.sources); the calls and items read per platform list page at 1,000
records (bench.lists); export and import jobs at 10,000 milestones over the dev server (bench.transfers).
Targets are checked (bench.checks) and printed (bench.report).

    python -m cairn_local.bench [--json PATH] [--quick] [--only imports|operations|search|sources|lists|transfers]
        [--lambda-python PATH]

The exit code is 0 even when a target fails: this is a report, and failures are listed in it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from typing import Any

from cairn_local.bench.agents import run_agents_bench
from cairn_local.bench.checks import all_checks, import_checks, search_checks
from cairn_local.bench.imports import interpreters, run_floor_bench, run_import_bench
from cairn_local.bench.lists import RECORDS, lists_checks, render_lists, run_lists_bench
from cairn_local.bench.operations import SIZES, WARMUP, run_operations_bench
from cairn_local.bench.report import render_agents, render_checks, render_imports, render_search, render_table
from cairn_local.bench.search import run_search_bench
from cairn_local.bench.sources import SYNCED_MESSAGES, render_sources, run_sources_bench
from cairn_local.bench.stack import BENCH_SECRET
from cairn_local.bench.transfers import MILESTONES, render_transfers, run_transfers_bench
from cairn_local.emulator import use_emulator_environment

ITERATIONS, QUICK_ITERATIONS = 50, 10
IMPORT_RUNS, QUICK_IMPORT_RUNS = 5, 3


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", help="also write every result to this JSON file")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ITERATIONS} requests per operation and {QUICK_IMPORT_RUNS} import runs")
    parser.add_argument("--iterations", type=int, help="requests per operation (overrides --quick)")
    parser.add_argument("--only", choices=["imports", "operations", "search", "sources", "lists", "transfers"],
                        help="run one section alone (cairn_local.bench.imports, .operations with the agents' "
                             "figures, .search, .sources, .lists, .transfers)")
    parser.add_argument("--lambda-python", metavar="PATH",
                        help="also measure cold imports under this interpreter (the Lambda runtime's Python with "
                             "the layer's pinned dependencies: `make lambda-venv`); its figures are the checked ones")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    iterations = arguments.iterations or (QUICK_ITERATIONS if arguments.quick else ITERATIONS)
    runs = QUICK_IMPORT_RUNS if arguments.quick else IMPORT_RUNS
    use_emulator_environment(BENCH_SECRET)
    started = time.perf_counter()
    imports: list[dict[str, Any]] = []
    floor: dict[str, dict[str, float]] = {}
    sizes: list[dict[str, Any]] = []
    agents: dict[str, Any] = {}
    checks: list[dict[str, Any]] = []
    if arguments.only in (None, "imports"):
        print(f"cold imports ({runs} runs per function)", file=sys.stderr)
        pythons = interpreters(arguments.lambda_python)
        imports = run_import_bench(runs, pythons)
        floor = run_floor_bench(runs, pythons)
        checks = import_checks(imports)
        print(render_imports(imports, floor), end="\n\n")
    if arguments.only in (None, "operations"):
        print(f"HTTP operations at {', '.join(f'{size:,}' for size in SIZES)} milestones", file=sys.stderr)
        sizes = run_operations_bench(iterations)
        agents = run_agents_bench(sizes)
        checks += all_checks(sizes, agents)
        print(render_table(sizes), render_agents(agents), sep="\n\n", end="\n\n")
    searched: dict[str, Any] = {}
    if arguments.only in (None, "search"):
        print("search: per project, across projects, relevance", file=sys.stderr)
        searched = run_search_bench(iterations)
        checks += search_checks(searched)
        print(render_search(searched), end="\n\n")
    synced: dict[str, Any] = {}
    if arguments.only in (None, "sources"):
        print(f"source sync: a page of 100, {SYNCED_MESSAGES:,} Slack messages", file=sys.stderr)
        synced = run_sources_bench(SYNCED_MESSAGES)
        print(render_sources(synced), end="\n\n")
    listed: dict[str, Any] = {}
    if arguments.only in (None, "lists"):
        print(f"platform list pages at {RECORDS:,} records per list", file=sys.stderr)
        listed = run_lists_bench(RECORDS)
        checks += lists_checks(listed)
        print(render_lists(listed), end="\n\n")
    transferred: dict[str, Any] = {}
    if arguments.only in (None, "transfers"):
        print(f"export and import jobs at {MILESTONES:,} milestones", file=sys.stderr)
        transferred = run_transfers_bench(MILESTONES)
        print(render_transfers(transferred), end="\n\n")
    print(render_checks(checks))
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "platform": platform.platform(),
        "iterations": iterations, "warmup": WARMUP, "import_runs": runs, "quick": arguments.quick,
        "note": "latencies are in-process moto's; call counts and ScannedCount are what carry over to DynamoDB",
        "sizes": sizes, "agents": agents, "imports": imports, "import_floor": floor, "search": searched,
        "sources": synced, "lists": listed, "transfers": transferred,
        "checks": checks,
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
