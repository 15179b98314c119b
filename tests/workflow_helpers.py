"""Workflow-execution test helpers: the records of a tenant, waiting for an execution of the in-process Step
Functions to end, and reopening a settled record (to exercise a settle on it)."""

from __future__ import annotations

import time
from typing import Any

from cairn.aws import clients, workflows
from cairn.aws.table import table

WAIT_SECONDS = 30


def records(tenant: str) -> list[dict[str, Any]]:
    return table().query(workflows.executions_index_pk(tenant), index="GSI1", consistent=False).items


def wait_ended(execution_arn: str) -> dict[str, Any]:
    """The execution described once it is no longer RUNNING."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        described = clients.stepfunctions().describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return dict(described)
        assert time.monotonic() < deadline, f"{execution_arn} still RUNNING after {WAIT_SECONDS}s"
        time.sleep(0.02)


def wait_settled(tenant: str, execution_id: str) -> dict[str, Any]:
    """The record once it is settled (its machine's settle step, or a status-change event, may come last)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        record = workflows.get(tenant, execution_id)
        if record is not None and record["status"] not in workflows.OPEN:
            return record
        assert time.monotonic() < deadline, f"{execution_id} not settled after {WAIT_SECONDS}s"
        time.sleep(0.02)


def reopen(record: dict[str, Any]) -> None:
    """Puts a record its machine settled back to ``running`` (after the machine ended: nothing else writes it)."""
    wait_ended(record["executionArn"])
    table().update(record["PK"], record["SK"], "SET #s = :running REMOVE failureCode, failureMessage",
                   names={"#s": "status"}, values={":running": "running"})
