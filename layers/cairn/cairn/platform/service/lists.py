"""The platform's list pages, each read from its index partition (``cairn.aws.listing``): workflow
executions by ``startedAt``, outbox events by ``occurredAt``, jobs by ``queuedAt``. The routes' own filters are
FilterExpressions on the same partition, so ``total`` counts exactly what the page is filtered by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cairn.aws import listing, outbox, workflows
from cairn.aws.listing import ListQuery
from cairn.aws.table import Filter
from cairn.platform.service import jobs as job_service
from cairn.platform.store import jobs as job_store

Page = tuple[list[Mapping[str, Any]], int]
# Every id an execution's resource may hold (sources, task runs, projects, jobs).
RESOURCE_IDS: Final = ("sourceId", "runId", "projectId", "jobId")


def executions(tenant: str, query: ListQuery, kind: str | None, status: str | None,
               resource: str | None) -> Page:
    partition = listing.Partition(workflows.executions_index_pk(tenant), "GSI1", "startedAt")
    where = Filter.all_of(Filter.equal(kind=kind, status=status), _resource(resource))
    return listing.page(partition, query, workflows.WORKFLOW_EXECUTION.to_wire, where)


def _resource(resource_id: str | None) -> Filter | None:
    """Executions whose resource names ``resource_id`` under any of its ids."""
    if resource_id is None:
        return None
    names = {"#res": "resource", **{f"#res{index}": name for index, name in enumerate(RESOURCE_IDS)}}
    either = " OR ".join(f"#res.#res{index} = :res" for index in range(len(RESOURCE_IDS)))
    return Filter(either, names, {":res": resource_id})


def events(tenant: str, query: ListQuery, topic: str | None, delivery_state: str | None) -> Page:
    partition = listing.Partition(outbox.events_index_pk(tenant), "GSI1", "occurredAt")
    return listing.page(partition, query, outbox.to_wire, Filter.equal(topic=topic, deliveryState=delivery_state))


def jobs(tenant: str, query: ListQuery, kind: str | None, status: str | None) -> Page:
    """A page of jobs; only the page's succeeded exports are presigned (``artifactUrl``)."""
    partition = listing.Partition(job_store.jobs_index_pk(tenant), "GSI1", "queuedAt")
    return listing.page(partition, query, job_service.to_wire, Filter.equal(kind=kind, status=status))
