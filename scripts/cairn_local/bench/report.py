"""The benchmark's tables, as printed."""

from __future__ import annotations

from typing import Any

from cairn_local.bench.operations import by_name

API_ABBREVIATIONS = {"GetItem": "G", "BatchGetItem": "BG", "Query": "Q", "Scan": "S", "PutItem": "P",
                     "UpdateItem": "U", "DeleteItem": "D", "TransactWriteItems": "TW", "TransactGetItems": "TG",
                     "BatchWriteItem": "BW"}


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
            f"{result['write_units']:>3g} {s3:>3g} {latency['p50']:>7.1f} {latency['p99']:>7.1f}{errors}")


def render_table(sizes: list[dict[str, Any]]) -> str:
    header_cell = f"{'ddb':>4} {'by API':<13} {'scan':>5} {'wu':>3} {'s3':>3} {'p50 ms':>7} {'p99 ms':>7}"
    width = len(header_cell)
    lines = ["operation".ljust(28) + " | " + " | ".join(f"{s['milestones']:,} milestones".center(width) for s in sizes),
             " " * 28 + " | " + " | ".join(header_cell for _ in sizes),
             "-" * (28 + (width + 3) * len(sizes))]
    tables = [by_name(size) for size in sizes]
    for name in tables[0]:
        lines.append(name.ljust(28) + " | " + " | ".join(cell(results[name]) for results in tables))
    legend = ", ".join(f"{short}={api}" for api, short in API_ABBREVIATIONS.items())
    lines.append(f"ddb, scan, wu, s3: median per request; wu: DynamoDB write units (bench.capacity); {legend}")
    return "\n".join(lines)


def render_imports(imports: list[dict[str, Any]], floor: dict[str, dict[str, float]]) -> str:
    versions = list(floor)
    lines = [f"cold import (median of runs, s; Python {' | '.join(versions)}; runs under {versions[-1]})"]
    for entry in imports:
        runs = ", ".join(f"{run:.3f}" for run in entry["runs"])
        medians = " | ".join(f"{entry['medians_by_python'][version]:.3f}" for version in versions)
        lines.append(f"  {entry['function']:<28} {medians}  [{runs}]")
    for version, seconds in floor.items():
        named = {("HTTP floor (these, pydantic.v1, X-Ray SDK, Mangum)" if "," in module else module): median
                 for module, median in seconds.items()}
        listed = ", ".join(f"{name} {median:.3f}" for name, median in named.items())
        lines.append(f"  libraries alone ({version}): {listed}")
    return "\n".join(lines)


def render_agents(agents: dict[str, Any]) -> str:
    briefs = ", ".join(f"{int(size):,} milestones {tokens}" for size, tokens in agents["default_brief_tokens"].items())
    return (f"agents (tokens, estimated)\n  MCP tool list: {agents['tool_list_tokens']}\n"
            f"  default brief (budget 1,500): {briefs}")


def render_checks(checks: list[dict[str, Any]]) -> str:
    lines = ["targets"]
    for c in checks:
        verdict = "PASS" if c["passed"] else "FAIL"
        lines.append(f"  {verdict}  {c['operation']:<28} [{c['size']}] {c['target']}: {c['detail']}")
    failed = sum(not c["passed"] for c in checks)
    lines.append(f"{len(checks) - failed} passed, {failed} failed")
    return "\n".join(lines)


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
