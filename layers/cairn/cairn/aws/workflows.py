"""Workflow executions (docs/platform.md, "Workflow executions"): every Step Functions execution Cairn starts is
started HERE, which writes its WorkflowExecution record in the same call, so a record exists for every start.

A shared room, not a context: sources, tasks and memory start executions and cannot import the platform context;
the platform context reads these records through its service.

The record is written ``running`` once StartExecution answered (an execution that could not start leaves no
record: its caller fails the request or the resource). An ARN pointer item lets a settle that only knows the
execution ARN (Step Functions' status-change events) find the record. A settle is a conditional update from
``queued``/``running``, in one transaction with its outbox event: the first settle wins, a later one (the event
after the machine's own settle step) is a no-op. A retry claims the record it retries (``retriedBy``) with one
conditional update; a cancel stops the execution (``stop``) and settles it ``cancelled``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from cairn.aws import clients, failures
from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.outbox import outbox_operation
from cairn.aws.table import ConditionFailed, table
from cairn.core.clock import now, timestamp

KINDS: Final = frozenset({"source_sync", "task_run", "project_purge", "export", "import"})
OPEN: Final = ("queued", "running")
SETTLED: Final = frozenset({"succeeded", "failed", "cancelled"})
EXECUTION_SK: Final = "WORKFLOW"
ARN_SK: Final = "WORKFLOW_ARN"
TOPIC_OF: Final = {"succeeded": "workflow.completed", "failed": "workflow.failed", "cancelled": "workflow.failed"}

WIRE = ("id", "kind", "status", "resource", "inputRef", "outputRef", "evidenceRef", "startedAt", "completedAt",
        "durationMs", "retryCount", "retryOf", "retriedBy", "failureCode", "failureMessage", "executionArn")
WORKFLOW_EXECUTION = declare(Entity(
    "workflow execution", pk="T#{t}#WFX#{id}", sk=EXECUTION_SK, wire=WIRE,
    always=("completedAt", "durationMs", "failureCode", "failureMessage", "outputRef", "evidenceRef", "retryOf",
            "retriedBy")))
WORKFLOW_ARN = declare(Entity("workflow execution arn", pk="WFXARN#{executionArn}", sk=ARN_SK))


def execution_pk(tenant: str, execution_id: str) -> str:
    return f"T#{escape(tenant)}#WFX#{escape(execution_id)}"


def executions_index_pk(tenant: str) -> str:
    """GSI1: a tenant's executions by ``{startedAt}#{id}`` (the workflow-executions listing)."""
    return f"T#{escape(tenant)}#WORKFLOWS"


def open_index_pk(tenant: str) -> str:
    """GSI2 while queued or running: ``T#{t}#OPEN`` / ``{kind}#{startedAt}#{id}``, so the ops view counts a
    kind's open executions (``begins_with``) without reading the history. Settling removes it (``failed``
    replaces it with the failures index's keys: GSI2 holds one or the other)."""
    return f"T#{escape(tenant)}#OPEN"


def _arn_pk(execution_arn: str) -> str:
    return f"WFXARN#{execution_arn}"


def start(tenant: str, kind: str, resource: dict[str, str], state_machine_arn: str, name: str,
          payload: dict[str, Any], retry_of: dict[str, Any] | None = None) -> str:
    """Starts ``state_machine_arn`` with ``payload`` as execution ``name`` and records it; the execution ARN.

    ``inputRef`` records the resource the input names (the input itself holds only identifiers, never secrets).
    ``retry_of`` is the record this execution retries (``retryOf`` its id, ``retryCount`` its count + 1).
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
        "GSI2PK": open_index_pk(tenant), "GSI2SK": f"{kind}#{started}#{name}",
        "id": name, "tenant": tenant, "kind": kind, "status": "running", "resource": resource,
        "inputRef": json.dumps(payload, sort_keys=True), "startedAt": started,
        "retryCount": int(retry_of["retryCount"]) + 1 if retry_of else 0,
        "executionArn": arn, "stateMachineArn": state_machine_arn, "payload": payload,
        **({"retryOf": retry_of["id"]} if retry_of else {}),
    }
    pointer = {"PK": _arn_pk(arn), "SK": ARN_SK, "entity": WORKFLOW_ARN.name, "tenant": tenant, "id": name}
    db = table()
    db.transact([db.put_op(record), db.put_op(pointer)])
    return arn


def get(tenant: str, execution_id: str) -> dict[str, Any] | None:
    return table().get(execution_pk(tenant, execution_id), EXECUTION_SK)


def settle(tenant: str, execution_id: str, status: str, failure_code: str | None = None,
           failure_message: str | None = None, *, output_ref: str | None = None,
           evidence_ref: str | None = None) -> bool:
    """Moves an open execution to ``status``; False when it was already settled (or is unknown).

    One transaction: the record (with ``outputRef``/``evidenceRef`` when given, identifiers or S3 keys only;
    on ``failed`` the failures-index keys), its event (``workflow.completed`` for ``succeeded``,
    ``workflow.failed`` for ``failed`` and ``cancelled``: the detail's ``status`` says which), and, when a
    retry succeeds, the failed execution it retried leaves the failures index."""
    if status not in SETTLED:
        raise ValueError(f"not a settled status: {status!r}")
    record = get(tenant, execution_id)
    if record is None or record["status"] not in OPEN:
        return False
    completed = timestamp(now())
    duration = max(0, int((_seconds(completed) - _seconds(record["startedAt"])) * 1000))
    values: dict[str, Any] = {":status": status, ":completed": completed, ":duration": duration,
                              ":queued": OPEN[0], ":running": OPEN[1]}
    sets = ["#status = :status", "completedAt = :completed", "durationMs = :duration"]
    for name, value in (("outputRef", output_ref), ("evidenceRef", evidence_ref)):
        if value is not None:
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
    if status != "succeeded":
        sets += ["failureCode = :code", "failureMessage = :message"]
        code = failure_code or ("Cancelled" if status == "cancelled" else "Failed")
        values.update({":code": code, ":message": (failure_message or code)[:1000]})
    if status == "failed":
        sets.append(failures.SET_CLAUSE)
        values.update(failures.set_values(tenant, failures.WORKFLOW, execution_id, completed))
    # Out of the open-work index; a failed one is in the failures index instead (SET_CLAUSE replaced its keys).
    leaves_open_index = "" if status == "failed" else " REMOVE GSI2PK, GSI2SK"
    db = table()
    operations = [db.update_op(execution_pk(tenant, execution_id), EXECUTION_SK,
                               "SET " + ", ".join(sets) + leaves_open_index,
                               condition="#status IN (:queued, :running)", names={"#status": "status"},
                               values=values)]
    if status == "succeeded" and record.get("retryOf"):
        operations.append(db.update_op(execution_pk(tenant, record["retryOf"]), EXECUTION_SK,
                                       "REMOVE " + failures.REMOVE_CLAUSE, condition="attribute_exists(PK)"))
    operations.append(outbox_operation(tenant, TOPIC_OF[status], _event_detail(record, status, values)))
    return db.transact_guarded(operations)


def _event_detail(record: dict[str, Any], status: str, values: dict[str, Any]) -> dict[str, Any]:
    """Identifiers only: the execution, its kind and resource, how it ended."""
    return {"workflowExecutionId": record["id"], "kind": record["kind"], "status": status,
            "resource": record["resource"], **({"failureCode": values[":code"]} if ":code" in values else {})}


def settle_by_arn(execution_arn: str, status: str, failure_code: str | None = None,
                  failure_message: str | None = None) -> bool:
    """Settles the execution Cairn recorded under ``execution_arn``; False for an unknown or settled one."""
    pointer = table().get(_arn_pk(execution_arn), ARN_SK)
    if pointer is None:
        return False
    return settle(pointer["tenant"], pointer["id"], status, failure_code, failure_message)


def claim_retry(tenant: str, execution_id: str, retry_name: str) -> dict[str, Any]:
    """Marks a failed or cancelled execution as retried by ``retry_name`` and answers it; one conditional update,
    so of concurrent retries exactly one wins. ``RetryRefused`` otherwise (unknown, open, or retried already)."""
    try:
        updated = table().update(
            execution_pk(tenant, execution_id), EXECUTION_SK, "SET retriedBy = :retry",
            condition="attribute_exists(PK) AND #status IN (:failed, :cancelled) AND attribute_not_exists(retriedBy)",
            names={"#status": "status"}, values={":retry": retry_name, ":failed": "failed", ":cancelled": "cancelled"})
    except ConditionFailed as refused:
        raise RetryRefused(refused.item) from None
    return updated


def release_retry(tenant: str, execution_id: str, retry_name: str) -> None:
    """Undoes ``claim_retry`` when the retry could not start (it may be asked for again)."""
    try:
        table().update(execution_pk(tenant, execution_id), EXECUTION_SK, "REMOVE retriedBy",
                       condition="retriedBy = :retry", values={":retry": retry_name})
    except ConditionFailed:
        return  # the claim is not this retry's (released already): nothing to undo


class RetryRefused(Exception):
    """The execution cannot be retried: ``record`` is it as stored (None when it does not exist)."""

    def __init__(self, record: dict[str, Any] | None) -> None:
        super().__init__("retry refused")
        self.record = record


def stop(record: dict[str, Any], cause: str) -> None:
    """StopExecution of the record's execution (one already ended is left as it is)."""
    sfn = clients.stepfunctions()
    try:
        sfn.stop_execution(executionArn=record["executionArn"], error="Cancelled", cause=cause[:256])
    except sfn.exceptions.ExecutionDoesNotExist:
        return


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def caught_message(caught: dict[str, Any], default: str) -> str:
    """The message of an error a state machine caught (its ``{"Error", "Cause"}``): a Lambda's Cause is its
    ``{"errorType", "errorMessage"}``; otherwise the Cause as it is, else the error's name, else ``default``."""
    cause = caught.get("Cause") or ""
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, dict) and parsed.get("errorMessage"):
        return str(parsed["errorMessage"])[:1000]
    return (str(cause) or str(caught.get("Error") or default))[:1000]
