"""The benchmark's targets, each a pass/fail check with what was measured."""

from __future__ import annotations

from typing import Any

from cairn_local.bench.agents import BRIEF_TARGET_MS, TOOL_LIST_TARGET_TOKENS
from cairn_local.bench.imports import IMPORT_TARGET_SECONDS
from cairn_local.bench.operations import PAGE_LIMIT, by_name
from cairn_local.bench.search import COMPUTE_TARGET_MS, PROJECT_SIZES

ONE_CALL = ("get project", "get branch", "recall overview", "recall branch (offset 0)", "recall milestone (by id)",
            "recall log", "recall metadata")
# A page past the newest reads the head's counter first, so that its Query starts at the page's exact key
# (ScannedCount = limit) instead of skipping ``offset`` items server-side (docs/key-design.md).
TWO_CALLS = ("recall branch (offset 100)",)
BOUNDED_SCAN = {"recall branch (offset 0)": PAGE_LIMIT, "recall branch (offset 100)": PAGE_LIMIT,
                "recall log": 20}


def check(target: str, operation: str, size: int | str, passed: bool, detail: str) -> dict[str, Any]:
    return {"target": target, "operation": operation, "size": size, "passed": passed, "detail": detail}


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
                  f"median {entry['median_seconds']} s (Python {entry['python']})") for entry in imports]


# The brief reads the project with its branches, then the branch's newest milestones with its log highlights: two
# key-bound Queries; a branch from before highlights existed adds its log page (docs/agents.md, "Two reads").
BRIEF_CALLS = {"recall brief": 2, "recall brief (older)": 3}


def agents_checks(sizes: list[dict[str, Any]], agents: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for size in sizes:
        for name, most in BRIEF_CALLS.items():
            brief = by_name(size)[name]
            calls = brief["dynamodb_calls"]["max"]
            found.append(check(f"at most {most} DynamoDB calls", name, size["milestones"], calls <= most,
                               f"{calls} calls ({brief['dynamodb_calls_by_api_max']})"))
    large = by_name(sizes[-1])["recall brief"]["latency_ms"]["p50"]
    found.append(check(f"p50 < {BRIEF_TARGET_MS:g} ms in process", "recall brief", sizes[-1]["milestones"],
                       large < BRIEF_TARGET_MS, f"p50 {large} ms"))
    tokens = agents["tool_list_tokens"]
    found.append(check(f"MCP tool list < {TOOL_LIST_TARGET_TOKENS:,} tokens", "tools/list", "-",
                       tokens < TOOL_LIST_TARGET_TOKENS, f"{tokens} tokens (estimate)"))
    return found


def all_checks(sizes: list[dict[str, Any]], agents: dict[str, Any]) -> list[dict[str, Any]]:
    found = [c for size in sizes for c in size_checks(size["milestones"], by_name(size))]
    return [*found, *scan_checks(sizes), *agents_checks(sizes, agents)]


def search_checks(result: dict[str, Any]) -> list[dict[str, Any]]:
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
