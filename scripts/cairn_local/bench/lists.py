"""Platform list pages (issue 12): the DynamoDB calls and items read per page of each list route at 1,000
records per tenant, through the gateway on the in-process stack. A page in the index's order reads
``offset + limit`` items plus one ``Select=COUNT`` of the partition for ``total``; ``q`` and other sorts read
the partition (docs/platform.md, "How a list page reads").

    python -m cairn_local.bench.lists [--json PATH] [--records N]
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from cairn_local.bench.checks import check
from cairn_local.bench.stack import BENCH_SECRET, in_process_stack, run_section
from cairn_local.tokens import mint

RECORDS = 1_000
TENANT = "bench-lists"
KINDS = ("source_sync", "task_run", "project_purge")
TOPICS = ("project.created", "milestone.stored", "branch.created", "branch.merged")
# (label, path): each list's default page, a deep page, the other order, a filter, q and another sort.
PAGES = [
    ("executions: newest 25", "/api/v1/workflow-executions"),
    ("executions: offset 500", "/api/v1/workflow-executions?offset=500"),
    ("executions: oldest 25", "/api/v1/workflow-executions?sortOrder=asc"),
    ("executions: kind (1 in 3)", "/api/v1/workflow-executions?kind=task_run"),
    ("executions: status (1 in 100)", "/api/v1/workflow-executions?status=failed"),
    ("executions: q", "/api/v1/workflow-executions?q=run-0000999"),
    ("executions: sortBy durationMs", "/api/v1/workflow-executions?sortBy=durationMs"),
    ("events: newest 25", "/api/v1/events/outbox"),
    ("events: topic (1 in 4)", "/api/v1/events/outbox?topic=branch.merged"),
    ("events: q", "/api/v1/events/outbox?q=project-0999"),
    ("failures: newest 25", "/api/v1/agent-runtime/failures"),
    ("failures: kind (1 in 2)", "/api/v1/agent-runtime/failures?kind=job"),
    ("jobs: newest 25", "/api/v1/jobs"),
    ("jobs: offset 500", "/api/v1/jobs?offset=500"),
    ("agents: newest 25", "/api/v1/agent-runtime/agents"),
    ("agents: sortBy milestoneCount", "/api/v1/agent-runtime/agents?sortBy=milestoneCount"),
    ("queues", "/api/v1/agent-runtime/queues"),
]


def _moment(n: int) -> str:
    return (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seed(tenant: str, records: int) -> None:
    """``records`` executions (1 in 100 failed), events (1 in 3 failed), jobs (1 in 3 failed) and agents, as
    their writers shape them."""
    from cairn.aws import failures, outbox, workflows
    from cairn.aws.keys import ProjectRef
    from cairn.aws.table import table
    from cairn.memory.store import agents
    from cairn.platform.store import jobs

    items: list[dict[str, Any]] = []
    for n in range(records):
        at, name = _moment(n), f"run-{n:07d}"
        failed = n % 100 == 0
        items.append({
            "PK": workflows.execution_pk(tenant, name), "SK": workflows.EXECUTION_SK,
            "entity": workflows.WORKFLOW_EXECUTION.name, "GSI1PK": workflows.executions_index_pk(tenant),
            "GSI1SK": f"{at}#{name}", "id": name, "tenant": tenant, "kind": KINDS[n % 3],
            "status": "failed" if failed else "succeeded", "resource": {"runId": name}, "startedAt": at,
            "completedAt": at, "durationMs": n * 7 % 1000, "retryCount": 0, "inputRef": json.dumps({"runId": name}),
            **(failures.failure_keys(tenant, failures.WORKFLOW, name, at) if failed else {})})
        event = outbox.new_event(tenant, TOPICS[n % 4], {"projectId": f"project-{n:04d}"})
        event.update({"GSI1SK": f"{at}#{event['eventId']}", "occurredAt": at, "deliveryState": "published",
                      "publishedAt": at})
        if n % 3 == 1:  # its publish failed
            event.update({"deliveryState": "failed", "publishedAt": None, "lastPublishError": "bench",
                          "failedAt": at, **failures.failure_keys(tenant, failures.OUTBOX, event["eventId"], at)})
        items.append(event)
    table().put_many(items)
    for n in range(records):
        jobs.create(tenant, f"job-{n:05d}", "export", [f"project-{n:04d}"])
        if n % 3 == 2:
            jobs.fail(tenant, f"job-{n:05d}", "bench", "a failed bench job")
    ref = ProjectRef(tenant, "project-0000")
    activity = [agents.activity_operation(ref, {"agentId": f"agent-{n:05d}", "createdAt": _moment(n)})
                for n in range(records)]
    for start in range(0, records, 25):  # as a store's transaction updates its agent, 25 agents at a time
        table().transact(activity[start:start + 25])


def _page_cost(client: Any, recorder: Any, counting: list[tuple[int, int]], path: str,
               token: str) -> dict[str, Any]:
    recorder.take()
    counting.clear()
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    calls = recorder.take()
    body = response.json()
    return {"status": response.status_code, "dynamodb_calls": sum(calls.dynamodb.values()),
            "by_api": dict(calls.dynamodb), "items_read": calls.scanned,
            "items_returned": calls.returned - sum(matched for _, matched in counting),
            "count_calls": len(counting), "items_read_by_count": sum(read for read, _ in counting),
            "total": body.get("page", {}).get("total") if isinstance(body, dict) else None}


def run_lists_bench(records: int) -> dict[str, Any]:
    from cairn.aws import clients

    with in_process_stack() as (client, recorder):
        _seed(TENANT, records)
        counting: list[tuple[int, int]] = []  # (read, matched) of each COUNT

        def on_query(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["bench_count"] = params.get("Select") == "COUNT"

        def after_query(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            if context.get("bench_count"):
                counting.append((int(parsed.get("ScannedCount", 0)), int(parsed.get("Count", 0))))

        events = clients.dynamodb().meta.events
        events.register("provide-client-params.dynamodb.Query", on_query)
        events.register("after-call.dynamodb.Query", after_query)
        token = mint(TENANT, "bench-viewer", ["viewer"], secret=BENCH_SECRET)
        pages = {label: _page_cost(client, recorder, counting, path, token) for label, path in PAGES}
    return {"records_per_list": records, "pages": pages}


def render_lists(result: dict[str, Any]) -> str:
    lines = [f"platform list pages at {result['records_per_list']:,} records per list (limit 25): DynamoDB calls, "
             "items read (of which by COUNT for total)"]
    for label, page in result["pages"].items():
        lines.append(f"  {label:<32} {page['dynamodb_calls']:>2} calls {page['by_api']}, "
                     f"{page['items_read']:>5} read ({page['items_read_by_count']} by {page['count_calls']} COUNT), "
                     f"{page['items_returned']} returned, total {page['total']}, status {page['status']}")
    return "\n".join(lines)


# The pages served in the index's order: what they read besides the COUNT must not exceed offset + limit.
IN_ORDER = {"executions: newest 25": 25, "executions: offset 500": 525, "executions: oldest 25": 25,
            "events: newest 25": 25, "failures: newest 25": 25, "jobs: newest 25": 25, "agents: newest 25": 25}


def lists_checks(result: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for label, bound in IN_ORDER.items():
        page = result["pages"][label]
        read = page["items_read"] - page["items_read_by_count"]
        found.append(check(f"a page reads <= offset + limit = {bound} items (besides total's COUNT)", label,
                           result["records_per_list"], read <= bound and page["status"] == 200,
                           f"{read} read, {page['dynamodb_calls']} calls"))
    return found


def main(argv: list[str] | None = None) -> int:
    return run_section(__doc__.split("\n\n")[0], "records", RECORDS, run_lists_bench, render_lists, argv)


if __name__ == "__main__":
    sys.exit(main())
