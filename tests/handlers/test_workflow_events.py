"""events/workflow_events.json (Step Functions' "Execution Status Change") through the real handler: it settles
the execution Cairn recorded under its ARN, once; other statuses and unknown executions settle nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

from cairn.aws import workflows
from cairn_local import ROOT, handlers
from tests.http.helpers import url
from tests.workflow_helpers import records, reopen


def _event(arn: str, status: str) -> dict[str, Any]:
    event = copy.deepcopy(json.loads((ROOT / "events" / "workflow_events.json").read_text()))
    event["detail"].update({"executionArn": arn, "status": status})
    return event


def _purge_execution(agent: Any, project: str) -> dict[str, Any]:
    """A purge's record, reopened after its machine settled it: as if its last step had crashed."""
    agent.delete(url(project))
    [record] = records(agent.tenant)
    reopen(record)
    return record


def test_a_failed_execution_settles_failed_with_its_error_once(agent: Any, project: str) -> None:
    record = _purge_execution(agent, project)
    arn = record["executionArn"]

    assert handlers.invoke("WorkflowEventsFunction", _event(arn, "RUNNING")) == {"settled": False}
    assert handlers.invoke("WorkflowEventsFunction", _event(arn, "FAILED")) == {"settled": True}
    assert handlers.invoke("WorkflowEventsFunction", _event(arn, "SUCCEEDED")) == {"settled": False}

    settled = workflows.get(agent.tenant, record["id"])
    assert settled is not None
    assert (settled["status"], settled["failureCode"], settled["failureMessage"]) == (
        "failed", "States.TaskFailed", "the sync step's Lambda timed out")


def test_an_aborted_execution_settles_cancelled(agent: Any, project: str) -> None:
    record = _purge_execution(agent, project)
    assert handlers.invoke("WorkflowEventsFunction", _event(record["executionArn"], "ABORTED")) == {"settled": True}
    settled = workflows.get(agent.tenant, record["id"])
    assert settled is not None
    assert settled["status"] == "cancelled"


def test_the_sample_event_of_an_unknown_execution_settles_nothing(aws: dict[str, str]) -> None:
    sample = json.loads((ROOT / "events" / "workflow_events.json").read_text())
    assert handlers.invoke("WorkflowEventsFunction", sample) == {"settled": False}
