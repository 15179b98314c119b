"""Every Step Functions execution Cairn starts leaves a WorkflowExecution record (cairn/aws/workflows.py), and a
settle by execution ARN (the status-change event) moves it once."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.aws import workflows
from tests.http.helpers import url
from tests.workflow_helpers import records as recorded
from tests.workflow_helpers import reopen


def test_deleting_a_project_records_its_purge_execution(agent: Any, project: str) -> None:
    assert agent.delete(url(project)).status_code == 200

    [execution] = recorded(agent.tenant)
    assert execution["kind"] == "project_purge"
    assert execution["resource"] == {"projectId": project}
    assert execution["retryCount"] == 0
    assert execution["executionArn"].startswith("arn:aws:states:")
    assert project in execution["inputRef"]
    assert workflows.WORKFLOW_EXECUTION.to_wire(execution)["id"] == execution["id"]


def test_a_settle_by_arn_moves_an_open_execution_once(agent: Any, project: str) -> None:
    agent.delete(url(project))
    [execution] = recorded(agent.tenant)
    reopen(execution)  # the in-process purge settled it

    assert workflows.settle_by_arn(execution["executionArn"], "failed", "States.Timeout", "timed out")
    assert not workflows.settle_by_arn(execution["executionArn"], "succeeded")

    settled = workflows.get(agent.tenant, execution["id"])
    assert settled is not None
    assert (settled["status"], settled["failureCode"], settled["failureMessage"]) == (
        "failed", "States.Timeout", "timed out")
    assert settled["durationMs"] >= 0
    assert settled["completedAt"]


def test_an_unknown_arn_settles_nothing(aws: dict[str, str]) -> None:
    assert not workflows.settle_by_arn("arn:aws:states:us-east-1:123456789012:execution:x:unknown", "failed")


def test_another_tenant_does_not_see_the_record(agent: Any, project: str, caller: Any) -> None:
    agent.delete(url(project))
    [execution] = recorded(agent.tenant)
    assert workflows.get(caller().tenant, execution["id"]) is None


def test_an_unknown_kind_or_status_is_refused(aws: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="kind"):
        workflows.start("t", "mystery", {}, "arn", "n", {})
    with pytest.raises(ValueError, match="settled status"):
        workflows.settle("t", "n", "running")
