"""Source sync: the AWS calls one ingested page of 100 Slack messages costs (one ``page`` step of the sync
state machine), and the time to sync 10,000 messages from a local fake Slack through the whole state machine
(moto's interpreter, the worker Lambda dispatched in process).

    python -m cairn_local.bench.sources [--json PATH] [--messages N]
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from cairn_local.bench.stack import BENCH_SECRET, in_process_stack, run_section
from cairn_local.fake_remote import fake_remote_server, slack_history, slack_messages
from cairn_local.tokens import mint

PROJECT = "bench-sources"
SYNCED_MESSAGES = 10_000
CONFIG = {"channelId": "C0BENCH0001"}


def _setup(client: Any, tenant: str, slack_url: str, source_id: str) -> None:
    token = mint(tenant, "bench-user", ["agent", "admin"], secret=BENCH_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    for method, path, body in [
        ("POST", "/api/v1/memory/projects", {"projectId": PROJECT, "name": "Sources bench", "roadmap": "bench"}),
        ("PUT", "/api/v1/memory/connections/slack", {"token": "xoxb-good", "baseUrl": f"{slack_url}/api"}),
        ("POST", "/api/v1/memory/sources", {"sourceId": source_id, "projectId": PROJECT, "sourceType": "slack",
                                            "config": CONFIG}),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")


def _page_cost(client: Any, recorder: Any, slack_url: str) -> dict[str, Any]:
    from cairn.sources.service import sync_steps
    from cairn.sources.service.sync_ledger import LEDGER
    from cairn.sources.store import sources

    tenant = "bench-page"
    _setup(client, tenant, slack_url, "page")
    sources.begin_run(tenant, "page", "run-bench")
    run = sync_steps.load(sync_steps.Run(tenant, "page", "run-bench"), LEDGER)
    recorder.take()
    started = time.perf_counter()
    run = sync_steps.page(run, LEDGER)
    seconds = time.perf_counter() - started
    calls = recorder.take()
    return {"items": run.items, "dynamodb_calls": sum(calls.dynamodb.values()),
            "dynamodb_by_api": dict(calls.dynamodb), "s3_calls": sum(calls.s3.values()),
            "s3_by_api": dict(calls.s3), "secretsmanager_calls": 1, "seconds": round(seconds, 3)}


def _full_sync(client: Any, slack_url: str, messages: int) -> dict[str, Any]:
    from cairn.aws import clients
    from cairn.sources.service.sync import start_sync
    from cairn.sources.store import sources

    tenant = "bench-sync"
    _setup(client, tenant, slack_url, "all")
    started = time.perf_counter()
    start_sync(tenant, "all")
    sfn = clients.stepfunctions()
    while True:
        item = sources.get(tenant, "all")
        if item["state"] != "running":
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    executions = sfn.list_executions(stateMachineArn=os.environ["CAIRN_SOURCE_SYNC_STATE_MACHINE_ARN"])
    return {"messages": messages, "stored": int(item.get("itemsSynced") or 0), "state": item["state"],
            "lastError": item.get("lastError"), "seconds": round(seconds, 2),
            "messages_per_second": round(messages / seconds, 1),
            "executions": len(executions["executions"])}


def run_sources_bench(messages: int) -> dict[str, Any]:
    with fake_remote_server() as slack, in_process_stack() as (client, recorder):
        slack.route("/api/conversations.history", slack_history(slack_messages(messages)))
        page = _page_cost(client, recorder, slack.url)
        print(f"  one page of {page['items']}: {page['dynamodb_calls']} DynamoDB calls, {page['s3_calls']} S3 calls",
              file=sys.stderr)
        full = _full_sync(client, slack.url, messages)
    return {"page_of_100": page, "full_sync": full}


def render_sources(result: dict[str, Any]) -> str:
    page, full = result["page_of_100"], result["full_sync"]
    return "\n".join([
        "source sync (Slack fake on 127.0.0.1, moto's Step Functions interpreter, worker in process)",
        f"  one page of {page['items']} messages: {page['dynamodb_calls']} DynamoDB calls {page['dynamodb_by_api']}, "
        f"{page['s3_calls']} S3 calls, {page['secretsmanager_calls']} Secrets Manager call, {page['seconds']} s",
        f"  {full['messages']:,} messages: {full['seconds']} s ({full['messages_per_second']}/s), "
        f"stored {full['stored']:,}, state {full['state']}, {full['executions']} execution",
    ])


def main(argv: list[str] | None = None) -> int:
    return run_section(__doc__.split("\n\n")[0], "messages", SYNCED_MESSAGES, run_sources_bench, render_sources, argv)


if __name__ == "__main__":
    sys.exit(main())
