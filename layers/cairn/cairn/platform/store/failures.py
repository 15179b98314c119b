"""The tenant's failures (docs/platform.md, "Ops view: failures"): every item carrying the failures index's keys
(``cairn.aws.failures``), newest failure first, as one failure each: which kind, when, why, the item's own wire
fields, and the route that retries it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from cairn.aws import failures, outbox, workflows
from cairn.aws.listing import Partition
from cairn.aws.table import Filter
from cairn.platform.store import jobs, webhooks

# The route that retries a failure of each kind (a delivery is retried by its subscription's schedule).
RETRY_PATHS: Final = {
    failures.WORKFLOW: "/api/v1/workflow-executions/{id}/retry",
    failures.OUTBOX: "/api/v1/agent-runtime/outbox-failures/{id}/retry",
    failures.JOB: "/api/v1/agent-runtime/job-failures/{id}/retry",
}
# Each kind's item as its own route answers it.
_WIRES: Final[dict[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    failures.WORKFLOW: workflows.WORKFLOW_EXECUTION.to_wire, failures.OUTBOX: outbox.to_wire,
    failures.JOB: jobs.JOB.to_wire, failures.DELIVERY: webhooks.delivery_to_wire}
# Where each item type keeps its failure's code and message.
_CODES: Final = ("failureCode", "errorCode", "responseCode")
_MESSAGES: Final = ("failureMessage", "errorMessage", "lastPublishError", "lastError")


def partition(tenant: str) -> Partition:
    return Partition(failures.failures_pk(tenant), failures.INDEX, "failedAt")


def kind_filter(kind: str | None) -> Filter | None:
    return Filter.equal(failureKind=kind)


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    failed_at, kind, item_id = failures.parse_sk(item["GSI2SK"])
    retry = RETRY_PATHS.get(kind)
    return {
        "id": item_id, "kind": kind, "failedAt": failed_at,
        "failureCode": _first(item, _CODES), "failureMessage": _first(item, _MESSAGES),
        "retryPath": retry.format(id=item_id) if retry else None,
        "item": _WIRES[kind](item),
    }


def _first(item: dict[str, Any], names: tuple[str, ...]) -> str | None:
    return next((str(item[name]) for name in names if item.get(name) is not None), None)
