"""What is waiting or running in a tenant (docs/platform.md, "Ops view: queues"). Each figure is one
``Select=COUNT`` Query (or a filtered Query) of the narrowest partition that holds it; the module's functions
say what each reads, which is what it costs as the tenant grows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from cairn.aws import documents, failures, outbox, workflows
from cairn.aws.table import Filter, table
from cairn.core.clock import now, timestamp
from cairn.platform.store import jobs

# The table's stream keeps a record 24 hours: an event pending for longer is no longer tried by the publisher.
EVENT_WINDOW: Final = timedelta(hours=24)
_NEWEST_EVENTS: Final = 20


def pending_search_documents(tenant: str) -> int:
    """COUNT of the sparse GSI3 partition ``T#{t}#UNINDEXED``: reads the compaction backlog, not the history."""
    return table().count(documents.pending_pk(tenant), index=documents.INDEX)


def open_executions(tenant: str, kind: str) -> int:
    """Executions of ``kind`` still queued or running: a COUNT of ``begins_with(kind)`` in the sparse GSI2
    partition ``T#{t}#OPEN`` (``cairn.aws.workflows.open_index_pk``): reads the open executions only."""
    return table().count(workflows.open_index_pk(tenant), index="GSI2", sk_prefix=f"{kind}#")


def jobs_by_status(tenant: str) -> dict[str, int]:
    """Queued and running jobs: one Query of the jobs index (GSI1 ``T#{t}#JOBLIST``) filtered by status: it
    answers the open jobs only but reads every job of the tenant (exports and imports: few; one call per 1 MB,
    about 2,000 jobs)."""
    counts = {jobs.QUEUED: 0, jobs.RUNNING: 0}
    for job in table().query_all(jobs.jobs_index_pk(tenant), index="GSI1", where=Filter.equal(status=tuple(counts))):
        counts[job["status"]] += 1
    return counts


def undelivered_events(tenant: str) -> int:
    """Events not published: a COUNT of the events of the last ``EVENT_WINDOW`` still ``pending`` (a range of
    GSI1 ``T#{t}#EVENTS``: reads that window's events, not the history), plus a COUNT of the ``outbox``
    entries of the failures index (an event whose last publish attempt failed is ``failed``, not pending: it is
    counted once; reads the tenant's failures). An event still ``pending`` after the window was never tried
    by the stream (the publisher was down for a day): not counted."""
    since = timestamp(now() - EVENT_WINDOW)
    pending = table().count(outbox.events_index_pk(tenant), index="GSI1", consistent=False,
                            sk_between=(since, "~"), where=Filter.equal(deliveryState=outbox.PENDING))
    failed = table().count(failures.failures_pk(tenant), index=failures.INDEX,
                           where=Filter.equal(failureKind=failures.OUTBOX))
    return pending + failed


def publisher_lag_seconds(tenant: str) -> int | None:
    """How long the oldest still pending of the tenant's newest 20 events has waited (0 when all 20 are
    published; None when the tenant has no event): one Query of 20 items, a sample of the publisher's lag."""
    newest = table().query(outbox.events_index_pk(tenant), index="GSI1", forward=False, limit=_NEWEST_EVENTS).items
    if not newest:
        return None
    pending = [event["occurredAt"] for event in newest if event["deliveryState"] == outbox.PENDING]
    if not pending:
        return 0
    oldest = datetime.fromisoformat(min(pending).replace("Z", "+00:00"))
    return max(0, int((now() - oldest).total_seconds()))
