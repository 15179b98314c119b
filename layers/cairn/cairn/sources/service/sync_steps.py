"""The steps of one sync run, called by the source-sync state machine (statemachines/source_sync.asl.json)
through ``functions/source_sync/app.py``. Each step takes the run's state and answers the next one; the
state holds cursors and counts only (Step Functions keeps it in the execution history): the connection's
credentials are read from Secrets Manager at each page and records go straight to the table.

Cursor rule: the source's ``syncCursor`` moves only when a run has read to the end (``commit``), to the
newest position the run saw. A run that fails keeps the old cursor; the next run reads the same items again
and ingest, idempotent by remote id, stores no duplicate. Slack pages newest first, so a cursor committed
mid-run would skip the older pages not read yet: this is why nothing commits the cursor before the end.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from cairn.aws import secrets, workflows
from cairn.core.errors import NotFound
from cairn.sources.adapters import connector_for
from cairn.sources.adapters.base import Connection, Record, SourceThrottled

PAGES_PER_RUN = 200  # 20,000 items at most per run: a Lambda call per page, the execution's history bounded
THROTTLES_PER_RUN = 10  # Retry-After waits a run takes before it fails as throttled
MAX_WAIT_SECONDS = 900


class RunOver(Exception):
    """The run no longer owns the source: deleted, reset or taken over meanwhile. The run stops quietly."""


@dataclass(frozen=True)
class SourceView:
    """What a run needs of the source item."""

    provider: str
    config: dict[str, Any]
    cursor: str
    run_id: str  # the run marker: the run that owns the source now ("" when none)
    item: dict[str, Any] = field(default_factory=dict, repr=False)  # the stored item as read
    resume_page: str | None = None  # where a run paused by its page budget stopped reading
    run_watermark: str = ""  # the newest position that paused run had seen


class Ledger(Protocol):
    """The source's items in the table, as the sync uses them (``sources.service.sync_ledger``)."""

    def source(self, tenant: str, source_id: str) -> SourceView:
        """The source; ``NotFound`` once deleted."""

    def store_page(self, source: SourceView, run_id: str, records: list[Record], watermark: str) -> int:
        """Upserts the records by remote id and counts them, only while ``run_id`` owns the source
        (``RunOver`` otherwise: nothing of the page is left behind); answers how many it stored."""

    def commit(self, tenant: str, source_id: str, run_id: str, cursor: str) -> None:
        """Sets ``syncCursor``, ``lastSyncedAt``, ``state: idle`` and the next due time, releasing the run."""

    def pause(self, tenant: str, source_id: str, run_id: str, resume_page: str) -> None:
        """Keeps the cursor, saves where the run stopped reading for the next run (due at once), releases it."""

    def fail(self, tenant: str, source_id: str, run_id: str, error: str) -> None:
        """Sets ``state: failed`` and ``lastError``, releasing the run marker (no-op once deleted)."""


@dataclass
class Run:
    """The state machine's state between steps (camelCase: it is the execution's JSON)."""

    tenantId: str  # noqa: N815
    sourceId: str  # noqa: N815
    runId: str  # noqa: N815
    cursor: str = ""
    page: str | None = None
    watermark: str = ""
    pages: int = 0
    items: int = 0
    throttles: int = 0
    waitSeconds: int = 0  # noqa: N815
    done: bool = False
    stopped: bool = False

    @classmethod
    def of(cls, state: dict[str, Any]) -> Run:
        return cls(**{name: state[name] for name in cls.__dataclass_fields__ if name in state})

    def state(self) -> dict[str, Any]:
        return asdict(self)


def load(run: Run, ledger: Ledger) -> Run:
    try:
        source = ledger.source(run.tenantId, run.sourceId)
    except NotFound:
        return _stopped(run)
    if source.run_id != run.runId:
        return _stopped(run)  # another run owns the source (this one was superseded)
    run.cursor = source.cursor
    if source.resume_page:  # the last run spent its budget: go on where it stopped, with what it had seen
        run.page, run.watermark = source.resume_page, source.run_watermark
    return run


def page(run: Run, ledger: Ledger) -> Run:
    """Reads one page after the cursor and stores it; a 429 becomes ``waitSeconds`` for the Wait state."""
    try:
        source = ledger.source(run.tenantId, run.sourceId)
    except NotFound:
        return _stopped(run)  # deleted mid-run: its delete removed the records, nothing more is written
    connector = connector_for(source.provider)
    run.waitSeconds = 0
    try:
        fetched = connector.fetch_page(_connection(run.tenantId, source.provider), source.config, run.cursor,
                                       run.page)
    except SourceThrottled as throttled:
        run.throttles += 1
        if run.throttles > THROTTLES_PER_RUN:
            raise
        run.waitSeconds = min(MAX_WAIT_SECONDS, max(1, math.ceil(throttled.retry_after)))
        return run
    watermark = connector.newer(run.watermark, fetched.watermark)
    try:
        run.items += ledger.store_page(source, run.runId, fetched.records, watermark)
    except RunOver:
        return _stopped(run)
    run.pages += 1
    run.watermark = watermark
    run.page = fetched.next_page
    run.done = fetched.next_page is None or run.pages >= PAGES_PER_RUN
    return run


def commit(run: Run, ledger: Ledger) -> Run:
    """The run read everything after the cursor: the cursor moves to the newest position seen. A run that
    spent its page budget first (``page`` still set) moves nothing: it is paused, and the next run goes on
    from its paging token, so no page between the cursor and the newest item is ever skipped."""
    try:
        provider = ledger.source(run.tenantId, run.sourceId).provider
    except NotFound:
        return _stopped(run)
    if run.page is not None:
        ledger.pause(run.tenantId, run.sourceId, run.runId, run.page)
        return run
    cursor = connector_for(provider).newer(run.cursor, run.watermark)
    ledger.commit(run.tenantId, run.sourceId, run.runId, cursor)
    run.cursor = cursor
    return run


def fail(state: dict[str, Any], ledger: Ledger, execution: str | None = None) -> dict[str, Any]:
    """The Catch of every step: records why the run failed (the error's message, never a credential), then
    settles the run's workflow execution ``failed`` (when named) with the caught error's name as its code."""
    run = Run.of(state)
    error = state.get("error") or {}
    message = error_message(error)
    ledger.fail(run.tenantId, run.sourceId, run.runId, message)
    if execution:
        workflows.settle(run.tenantId, execution, "failed", str(error.get("Error") or "SourceSyncFailed"), message)
    return run.state()


def settle_execution(run: Run, execution: str) -> bool:
    """After ``commit``: the run's workflow execution settles ``succeeded`` with what the run committed as its
    ``outputRef`` (the source, the run, the cursor, pages and items read; whether it paused on its page
    budget). Identifiers and counts only."""
    output = {"sourceId": run.sourceId, "runId": run.runId, "cursor": run.cursor, "pages": run.pages,
              "items": run.items, "paused": run.page is not None, "stopped": run.stopped}
    return workflows.settle(run.tenantId, execution, "succeeded", output_ref=json.dumps(output, sort_keys=True))


def error_message(error: dict[str, Any]) -> str:
    return workflows.caught_message(error, "the sync failed")


def _connection(tenant: str, provider: str) -> Connection:
    credentials = secrets.load(tenant, provider, ("token", "baseUrl"))
    return Connection(base_url=str(credentials["baseUrl"]), token=str(credentials["token"]),
                      email=str(credentials.get("email") or ""))


def _stopped(run: Run) -> Run:
    run.stopped, run.done, run.waitSeconds = True, True, 0
    return run

