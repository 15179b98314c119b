"""Workflow executions of a tenant (docs/platform.md, "Workflow executions"): read from the records that
``cairn.aws.workflows`` writes when it starts an execution."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cairn.aws import workflows
from cairn.aws.table import table
from cairn.core.errors import NotFound


def _records(tenant: str) -> Iterator[dict[str, Any]]:
    yield from table().query_all(workflows.executions_index_pk(tenant), index="GSI1", consistent=False)


def list_executions(tenant: str, kind: str | None, status: str | None,
                    resource: str | None) -> list[dict[str, Any]]:
    """The tenant's executions as wire items, narrowed by kind, status and resource (any resource id)."""
    return [workflows.WORKFLOW_EXECUTION.to_wire(item) for item in _records(tenant)
            if (kind is None or item["kind"] == kind) and (status is None or item["status"] == status)
            and (resource is None or resource in _resource_ids(item["resource"]))]


def _resource_ids(resource: Mapping[str, str]) -> set[str]:
    return set(resource.values())


def get_execution(tenant: str, execution_id: str) -> dict[str, Any]:
    record = workflows.get(tenant, execution_id)
    if record is None:
        raise NotFound(f"workflow execution '{execution_id}' not found", field="id")
    return workflows.WORKFLOW_EXECUTION.to_wire(record)
