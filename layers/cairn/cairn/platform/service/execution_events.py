"""Settles workflow executions from Step Functions' "Execution Status Change" events (EventBridge), so an
execution whose own settle step never ran (a Lambda timeout, a crashed step, StopExecution) still settles."""

from __future__ import annotations

from typing import Any, Final

from cairn.aws import workflows

# Step Functions' terminal statuses; RUNNING and PENDING_REDRIVE are not settlements.
SETTLED_AS: Final = {"SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "failed", "ABORTED": "cancelled"}


def settle_from_event(event: dict[str, Any]) -> bool:
    """True when the event settled an open execution; False for a non-terminal status, an execution Cairn did not
    record, or one already settled (its own settle step came first)."""
    detail = event.get("detail") or {}
    status = SETTLED_AS.get(str(detail.get("status")))
    arn = detail.get("executionArn")
    if status is None or not isinstance(arn, str):
        return False
    failure = None if status == "succeeded" else (detail.get("error") or detail.get("status"))
    return workflows.settle_by_arn(arn, status, failure, detail.get("cause") or None)
