"""The sync's reads and conditional writes of a source's items (``sync_steps.Ledger``, and the run marker
``start_sync`` claims).

PROVISIONAL, to be mapped onto the sources store of issue 9 (engineer 9a) when it lands: the source item as
docs/key-design.md lays it out (``T#{t}#SOURCES`` / ``{sourceId}``); records here in
``T#{t}#SOURCE#{id}`` / ``REC#{remoteId}`` until the store's searchable record items replace them.

The run marker is the source item's ``runId``: set by a conditional update (one running execution per
source), required by every page write and by the commit, cleared by the commit or the failure. A marker older
than the state machine's timeout (an execution that died without reaching its Catch) can be taken over.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table
from cairn.core import clock
from cairn.core.errors import NotFound
from cairn.sources.adapters.base import Record
from cairn.sources.service.sync_steps import SourceView

RUN_TAKEOVER = timedelta(hours=1)  # statemachines/source_sync.asl.json's TimeoutSeconds


def source_key(tenant: str, source_id: str) -> tuple[str, str]:
    return f"T#{escape(tenant)}#SOURCES", escape(source_id)


def records_pk(tenant: str, source_id: str) -> str:
    return f"T#{escape(tenant)}#SOURCE#{escape(source_id)}"


def get_source(tenant: str, source_id: str) -> dict[str, Any]:
    item = table().get(*source_key(tenant, source_id))
    if item is None:
        raise NotFound(f"source '{source_id}' not found", field="sourceId")
    return item


def claim_run(tenant: str, source_id: str, run_id: str) -> dict[str, Any] | None:
    """Marks the source running under ``run_id``; None when another run holds it (the source as it is)."""
    now = clock.now()
    try:
        return table().update(
            *source_key(tenant, source_id),
            "SET runId = :run, #state = :running, lastRunStartedAt = :now REMOVE lastError",
            condition="attribute_exists(PK) AND (attribute_not_exists(runId) OR runId = :none "
                      "OR lastRunStartedAt < :stale)",
            names={"#state": "state"},
            values={":run": run_id, ":running": "running", ":now": clock.timestamp(now), ":none": "",
                    ":stale": clock.timestamp(now - RUN_TAKEOVER)})
    except ConditionFailed as failed:
        if failed.item is None:
            raise NotFound(f"source '{source_id}' not found", field="sourceId") from failed
        return None


class TableLedger:
    def source(self, tenant: str, source_id: str) -> SourceView:
        item = get_source(tenant, source_id)
        return SourceView(provider=str(item["sourceType"]), config=dict(item.get("config") or {}),
                          cursor=str(item.get("syncCursor") or ""), run_id=str(item.get("runId") or ""))

    def store_page(self, tenant: str, source_id: str, run_id: str, records: list[Record]) -> int:
        """Puts the page (idempotent by remote id), then proves the run still owns the source; when the source
        was deleted meanwhile its delete may have swept before these puts, so they are removed here."""
        db = table()
        pk = records_pk(tenant, source_id)
        now = clock.utc_now()
        items = [{"PK": pk, "SK": f"REC#{escape(record.remote_id)}", "sourceId": source_id,
                  "remoteId": record.remote_id, "author": record.author, "url": record.url, "time": record.time,
                  "text": record.text, "syncedAt": now} for record in records]
        db.put_many(items)
        try:
            owner = self.source(tenant, source_id).run_id
        except NotFound:
            owner = None
        if owner != run_id:
            db.delete_keys((item["PK"], item["SK"]) for item in items)
            raise NotFound(f"source '{source_id}' was deleted or is synced by another run", field="sourceId")
        return len(items)

    def commit(self, tenant: str, source_id: str, run_id: str, cursor: str, items: int) -> None:
        try:
            table().update(
                *source_key(tenant, source_id),
                "SET syncCursor = :cursor, lastSyncedAt = :now, #state = :idle, runId = :none "
                "ADD itemsSynced :items",
                condition="runId = :run", names={"#state": "state"},
                values={":cursor": cursor, ":now": clock.utc_now(), ":idle": "idle", ":none": "", ":run": run_id,
                        ":items": items})
        except ConditionFailed:
            return  # deleted or taken over meanwhile: this run's result is no longer the source's

    def fail(self, tenant: str, source_id: str, run_id: str, error: str) -> None:
        try:
            table().update(
                *source_key(tenant, source_id),
                "SET #state = :failed, lastError = :error, runId = :none",
                condition="runId = :run", names={"#state": "state"},
                values={":failed": "failed", ":error": error, ":none": "", ":run": run_id})
        except ConditionFailed:
            return  # deleted or taken over meanwhile


LEDGER = TableLedger()
