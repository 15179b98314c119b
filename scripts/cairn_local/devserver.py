"""`make dev`: every route group on one port, over the embedded moto (or the emulator named by
AWS_ENDPOINT_URL), with state machines running the real handlers and data kept across restarts."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Any

from cairn_local import eventbus
from cairn_local.emulator import aws_environment, install_patches, provision
from cairn_local.forge import DEV_KEY_PATH, LOCAL_APP_ID, LocalForge
from cairn_local.resolve import LocalNames
from cairn_local.scheduler import Scheduler
from cairn_local.streams import StreamPoller
from cairn_local.tokens import STATE_DIR, mint


def _start_embedded_moto() -> Any:
    from moto.server import ThreadedMotoServer

    install_patches()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    os.environ["MOTO_PORT"] = str(port)
    return server


def _settle_lost_executions(names: LocalNames) -> int:
    """Settles ``failed`` (``ExecutionLost``) the workflow-execution records still open when the last shutdown
    took their executions with it (moto keeps none across a restart; in AWS executions outlive any process), so
    no record stays ``running`` forever. Runs before the resumes below, which start executions of their own."""
    import boto3

    from cairn.aws import workflows

    scan = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=names.table,
        FilterExpression="#entity = :execution AND #status IN (:queued, :running)",
        ExpressionAttributeNames={"#entity": "entity", "#status": "status"},
        ExpressionAttributeValues={":execution": {"S": workflows.WORKFLOW_EXECUTION.name},
                                   ":queued": {"S": "queued"}, ":running": {"S": "running"}},
    )
    lost = [item for page in scan for item in page.get("Items", [])]
    return sum(workflows.settle(item["tenant"]["S"], item["id"]["S"], "failed", "ExecutionLost",
                                "the dev server stopped while it ran; its work, if any remains, was started again")
               for item in lost)


def _resume_purges(names: LocalNames) -> int:
    """Restarts the purge of projects whose deletion was cut off by the last shutdown."""
    import boto3

    from cairn.memory.store.purge import start_purge

    scan = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=names.table,
        FilterExpression="SK = :project AND #lifecycle = :deleting",
        ExpressionAttributeNames={"#lifecycle": "lifecycle"},
        ExpressionAttributeValues={":project": {"S": "PROJECT"}, ":deleting": {"S": "deleting"}},
    )
    deleting = [item for page in scan for item in page.get("Items", [])]
    for item in deleting:
        start_purge(item["tenantId"]["S"], item["projectId"]["S"], int(item.get("generation", {"N": "0"})["N"]))
    return len(deleting)


def _resume_task_runs(names: LocalNames) -> int:
    """Starts again the task runs whose execution the last shutdown cut off (moto's executions are not kept)."""
    import boto3

    from cairn.tasks.domain.runs import RESUMABLE
    from cairn.tasks.service.runs import resume

    statuses = {f":s{index}": {"S": status} for index, status in enumerate(RESUMABLE)}
    scan = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=names.table,
        FilterExpression=f"SK = :run AND #status IN ({', '.join(statuses)})",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":run": {"S": "RUN"}, **statuses},
    )
    cut_off = [item for page in scan for item in page.get("Items", [])]
    return sum(resume(item["installation"]["S"], item["runId"]["S"]) for item in cut_off)


def _resume_deliveries(names: LocalNames) -> int:
    """Starts again the webhook deliveries whose execution the last shutdown cut off (pending or failing)."""
    import boto3

    from cairn.platform.service.deliveries import resume

    scan = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=names.table,
        FilterExpression="entity = :delivery AND #status IN (:pending, :failing)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":delivery": {"S": "webhook delivery"}, ":pending": {"S": "pending"},
                                   ":failing": {"S": "failing"}},
    )
    open_deliveries = [item for page in scan for item in page.get("Items", [])]
    for item in open_deliveries:
        resume(item["tenant"]["S"], item["subscriptionId"]["S"], item["deliveryId"]["S"])
    return len(open_deliveries)


def _banner(port: int, emulator: str, restored: int) -> str:
    token = mint("dev-tenant", "dev-user", ["agent", "admin"])
    return "\n".join([
        f"Cairn is listening on http://127.0.0.1:{port}  (emulator: {emulator}; {restored} items restored)",
        "Dev token (tenant dev-tenant, roles agent+admin, 12 h):",
        f"  export TOKEN={token}",
        "Another tenant or role: make token TENANT=acme ROLES=viewer",
        f"Try: curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{port}/api/v1/memory/projects",
        f"API reference: http://127.0.0.1:{port}/docs (Swagger UI), http://127.0.0.1:{port}/openapi.json",
        f"Every acknowledged write is kept in {STATE_DIR} (it survives Ctrl-C, kill and crashes).",
    ])


def _start_local_forge() -> None:
    """Forge tokens for the task engine: a JWKS on 127.0.0.1 whose key ``python -m cairn_local.forge`` signs with
    (unless CAIRN_FORGE_JWKS_URL names another issuer)."""
    forge = LocalForge(os.environ.get("CAIRN_FORGE_APP_ID") or LOCAL_APP_ID, DEV_KEY_PATH)
    os.environ["CAIRN_FORGE_JWKS_URL"] = forge.jwks_url
    os.environ["CAIRN_FORGE_APP_ID"] = forge.app_id


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def main() -> None:
    import uvicorn

    from cairn_local.gateway import Gateway
    from cairn_local.persistence import Durability

    port = int(os.environ.get("PORT", "8000"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's per-request lines
    # uvicorn re-raises SIGTERM to the previous handler after shutting down; make that ours, so
    # the last checkpoint below is written on `kill` as well as on Ctrl-C.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    for name, value in aws_environment().items():
        os.environ.setdefault(name, value)
    # The local stack alone lets connections point at fakes on 127.0.0.1 / localhost (cairn.integrations.ssrf).
    os.environ.setdefault("CAIRN_ALLOW_LOCAL_URLS", "true")
    external = os.environ.get("AWS_ENDPOINT_URL")
    server = None if external else _start_embedded_moto()
    names = LocalNames()
    if not os.environ.get("CAIRN_FORGE_JWKS_URL"):
        _start_local_forge()  # its server thread is a daemon: it lives as long as the dev server
    os.environ.update(provision(names))
    durability = None if external else Durability(STATE_DIR, names)
    restored = durability.open() if durability else 0
    if restored:
        _settle_lost_executions(names)
        _resume_purges(names)
        _resume_task_runs(names)
        _resume_deliveries(names)
    if durability:
        durability.start_checkpoints()
    indexer = StreamPoller(names.table)  # the table's stream to its Lambdas (search indexer)
    indexer.start()
    bus = eventbus.LocalEventBus()  # events put on the buses to the template's EventBridge rules
    eventbus.install(bus)
    bus.start()
    scheduler = Scheduler()  # the template's EventBridge schedules (the source-sync dispatcher) on a timer
    scheduler.start()
    print(_banner(port, external or f"embedded moto on {os.environ['AWS_ENDPOINT_URL']}", restored), flush=True)
    try:
        uvicorn.run(Gateway(), host="127.0.0.1", port=port, log_level="warning")
    finally:
        scheduler.stop()
        indexer.stop()
        bus.stop()
        if durability and server:
            durability.close()
            print(f"\nCheckpointed the local data in {STATE_DIR}", file=sys.stderr)
            server.stop()


if __name__ == "__main__":
    main()
