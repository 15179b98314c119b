"""Workflow executions (docs/platform.md, "Workflow executions"): every Step Functions execution Cairn starts is
started HERE, which writes its WorkflowExecution record in the same call, so a record exists for every start.

A shared room, not a context: sources, tasks and memory start executions and cannot import the platform context;
the platform context reads these records through its service.

The record is written ``running`` once StartExecution answered (an execution that could not start leaves no
record: its caller fails the request or the resource). An ARN pointer item lets a settle that only knows the
execution ARN (Step Functions' status-change events) find the record. A settle is a conditional update from
``queued``/``running``: the first settle wins, a later one (the event after the machine's own settle step) is a
no-op.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from cairn.aws import clients
from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table
from cairn.core.clock import now, timestamp

KINDS: Final = frozenset({"source_sync", "task_run", "project_purge", "export", "import"})
OPEN: Final = ("queued", "running")
SETTLED: Final = frozenset({"succeeded", "failed", "cancelled"})
EXECUTION_SK: Final = "WORKFLOW"
ARN_SK: Final = "WORKFLOW_ARN"

WIRE = ("id", "kind", "status", "resource", "inputRef", "outputRef", "evidenceRef", "startedAt", "completedAt",
        "durationMs", "retryCount", "failureCode", "failureMessage", "executionArn")
WORKFLOW_EXECUTION = declare(Entity(
    "workflow execution", pk="T#{t}#WFX#{id}", sk=EXECUTION_SK, wire=WIRE,
    always=("completedAt", "durationMs", "failureCode", "failureMessage", "outputRef", "evidenceRef")))
WORKFLOW_ARN = declare(Entity("workflow execution arn", pk="WFXARN#{executionArn}", sk=ARN_SK))


def execution_pk(tenant: str, execution_id: str) -> str:
    return f"T#{escape(tenant)}#WFX#{escape(execution_id)}"


def executions_index_pk(tenant: str) -> str:
    """GSI1: a tenant's executions by ``{startedAt}#{id}`` (the workflow-executions listing)."""
    return f"T#{escape(tenant)}#WORKFLOWS"


def _arn_pk(execution_arn: str) -> str:
    return f"WFXARN#{execution_arn}"


def start(tenant: str, kind: str, resource: dict[str, str], state_machine_arn: str, name: str,
          payload: dict[str, Any], retry_count: int = 0) -> str:
    """Starts ``state_machine_arn`` with ``payload`` as execution ``name`` and records it; the execution ARN.

    ``inputRef`` records the resource the input names (the input itself holds only identifiers, never secrets).
    Raises what StartExecution raises (``ExecutionAlreadyExists`` included: the caller knows whether a
    duplicate start is fine)."""
    if kind not in KINDS:
        raise ValueError(f"unknown workflow kind {kind!r}")
    response = clients.stepfunctions().start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload))
    arn = str(response["executionArn"])
    started = timestamp(now())
    record = {
        "PK": execution_pk(tenant, name), "SK": EXECUTION_SK, "entity": WORKFLOW_EXECUTION.name,
        "GSI1PK": executions_index_pk(tenant), "GSI1SK": f"{started}#{name}",
        "id": name, "tenant": tenant, "kind": kind, "status": "running", "resource": resource,
        "inputRef": json.dumps(payload, sort_keys=True), "startedAt": started, "retryCount": retry_count,
        "executionArn": arn, "stateMachineArn": state_machine_arn, "payload": payload,
    }
    pointer = {"PK": _arn_pk(arn), "SK": ARN_SK, "entity": WORKFLOW_ARN.name, "tenant": tenant, "id": name}
    db = table()
    db.transact([db.put_op(record), db.put_op(pointer)])
    return arn


def get(tenant: str, execution_id: str) -> dict[str, Any] | None:
    return table().get(execution_pk(tenant, execution_id), EXECUTION_SK)


def settle(tenant: str, execution_id: str, status: str, failure_code: str | None = None,
           failure_message: str | None = None) -> bool:
    """Moves an open execution to ``status``; False when it was already settled (or is unknown)."""
    if status not in SETTLED:
        raise ValueError(f"not a settled status: {status!r}")
    record = get(tenant, execution_id)
    if record is None or record["status"] not in OPEN:
        return False
    completed = now()
    started = record["startedAt"]
    duration = max(0, int((completed.timestamp() - _seconds(started)) * 1000))
    values: dict[str, Any] = {":status": status, ":completed": timestamp(completed), ":duration": duration,
                              ":queued": OPEN[0], ":running": OPEN[1]}
    update = "SET #status = :status, completedAt = :completed, durationMs = :duration"
    if failure_code is not None:
        update += ", failureCode = :code, failureMessage = :message"
        values.update({":code": failure_code, ":message": failure_message or failure_code})
    try:
        table().update(execution_pk(tenant, execution_id), EXECUTION_SK, update,
                       condition="#status IN (:queued, :running)", names={"#status": "status"}, values=values)
    except ConditionFailed:
        return False
    return True


def settle_by_arn(execution_arn: str, status: str, failure_code: str | None = None,
                  failure_message: str | None = None) -> bool:
    """Settles the execution Cairn recorded under ``execution_arn``; False for an unknown or settled one."""
    pointer = table().get(_arn_pk(execution_arn), ARN_SK)
    if pointer is None:
        return False
    return settle(pointer["tenant"], pointer["id"], status, failure_code, failure_message)


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
