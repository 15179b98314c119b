"""The ops view of a tenant (docs/platform.md, "Health, engine status and the ops view"): whether what Cairn
runs on answers, what is waiting or running, what failed, and the retries of failed publishes and jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cairn.aws import listing
from cairn.aws.listing import ListQuery
from cairn.platform.service.health import OK, UNAVAILABLE
from cairn.platform.store import failures, probes, queues

DEGRADED = "degraded"
NOT_CONFIGURED = "not_configured"


def tenant_health(tenant: str) -> dict[str, Any]:
    """Each check one call (see probes); ``status`` is ``degraded`` when any answered ``unavailable``."""
    bus = probes.bus_answers()
    answers: dict[str, bool | None] = {"table": probes.table_answers(), "bucket": probes.bucket_answers(),
                                       **probes.state_machines_answer(), "eventBus": bus}
    checks = {name: NOT_CONFIGURED if answered is None else OK if answered else UNAVAILABLE
              for name, answered in answers.items()}
    return {"status": DEGRADED if UNAVAILABLE in checks.values() else OK, "checks": checks,
            "publisherLagSeconds": queues.publisher_lag_seconds(tenant)}


def tenant_queues(tenant: str) -> dict[str, Any]:
    jobs = queues.jobs_by_status(tenant)
    return {
        "searchDocuments": {"pending": queues.pending_search_documents(tenant)},
        "syncs": {"running": queues.open_executions(tenant, "source_sync")},
        "taskRuns": {"queuedOrRunning": queues.open_executions(tenant, "task_run")},
        "jobs": {"queued": jobs["queued"], "running": jobs["running"]},
        "events": {"undelivered": queues.undelivered_events(tenant)},
    }


def failures_page(tenant: str, query: ListQuery, kind: str | None) -> tuple[list[Mapping[str, Any]], int]:
    return listing.page(failures.partition(tenant), query, failures.to_wire, failures.kind_filter(kind))
