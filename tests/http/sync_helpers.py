"""Source-sync test helpers: a connection secret in the emulator's Secrets Manager, a source item, and the
source-sync executions of a tenant."""

from __future__ import annotations

import json
import time
from typing import Any

from cairn.aws import clients
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.core.settings import get_settings
from cairn.sources.store import connections, keys, sources

WAIT_SECONDS = 60


def connect(tenant: str, provider: str, base_url: str, token: str) -> None:
    connections.put(tenant, provider, {"token": token, "baseUrl": base_url}, {"baseUrl": base_url})


def add_source(tenant: str, project_id: str, source_id: str, source_type: str, config: dict[str, Any], *,
               enabled: bool = True) -> None:
    """As the create route stores a source (then, for ``enabled=False``, as the update route disables it)."""
    item = sources.new_source(tenant, source_id, project_id, source_type, config)
    sources.create(item)
    if not enabled:
        sources.replace(item, {"enabled": False}, reset=False)


def source(tenant: str, source_id: str) -> dict[str, Any] | None:
    return table().get(keys.sources_pk(tenant), keys.source_sk(source_id))


def records(tenant: str, project_id: str, source_id: str) -> list[dict[str, Any]]:
    """The source's record items in its project's partition."""
    return list(table().query_all(ProjectRef(tenant, project_id).pk, sk_prefix=keys.records_prefix(source_id)))


def executions(tenant: str) -> list[dict[str, Any]]:
    sfn = clients.stepfunctions()
    machine = get_settings().source_sync_state_machine_arn
    described = [sfn.describe_execution(executionArn=execution["executionArn"]) for execution in
                 sfn.get_paginator("list_executions").paginate(stateMachineArn=machine).search("executions")]
    return [d for d in described if json.loads(d["input"])["tenantId"] == tenant]


def wait_for_syncs(tenant: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        described = executions(tenant)
        if all(d["status"] != "RUNNING" for d in described):
            return described
        assert time.monotonic() < deadline, f"a sync still RUNNING after {WAIT_SECONDS}s"
        time.sleep(0.05)


def failed_slack_sync(tenant: str, project_id: str, slack: Any) -> dict[str, Any]:
    """Runs a sync of Slack source ``slack-eng`` that ``slack`` (a fake remote) refuses with a revoked token;
    the sync's workflow execution record, once it settled."""
    from cairn.sources.service.sync import start_sync
    from cairn_local.fake_remote import Reply
    from tests.workflow_helpers import records, wait_settled

    slack.route("/api/conversations.history", lambda request: Reply(401, {"ok": False, "error": "token_revoked"}))
    connect(tenant, "slack", f"{slack.url}/api", "xoxb-good")
    add_source(tenant, project_id, "slack-eng", "slack", {"channelId": "C0123456789"})
    start_sync(tenant, "slack-eng")
    [first] = records(tenant)
    return wait_settled(tenant, first["id"])
