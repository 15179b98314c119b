"""Source-sync test helpers: a connection secret in the emulator's Secrets Manager, a source item, and the
source-sync executions of a tenant."""

from __future__ import annotations

import json
import time
from typing import Any

from cairn.aws import clients, secrets
from cairn.aws.table import table
from cairn.core.settings import get_settings
from cairn.sources.service.sync_ledger import records_pk, source_key

WAIT_SECONDS = 60


def connect(tenant: str, provider: str, base_url: str, token: str) -> None:
    clients.client("secretsmanager").create_secret(
        Name=secrets.secret_name(tenant, provider), SecretString=json.dumps({"token": token, "baseUrl": base_url}))


def add_source(tenant: str, source_id: str, source_type: str, config: dict[str, Any], **fields: Any) -> None:
    pk, sk = source_key(tenant, source_id)
    table().put({"PK": pk, "SK": sk, "sourceId": source_id, "projectId": "p", "sourceType": source_type,
                 "config": config, "syncCursor": "", "enabled": True, "state": "idle", **fields})


def source(tenant: str, source_id: str) -> dict[str, Any] | None:
    return table().get(*source_key(tenant, source_id))


def records(tenant: str, source_id: str) -> list[dict[str, Any]]:
    return list(table().query_all(records_pk(tenant, source_id)))


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
