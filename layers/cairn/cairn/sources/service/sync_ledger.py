"""The sync's view of the sources store (``sync_steps.Ledger`` over ``cairn.sources.store``): the source as a
run reads it, a page stored then counted, the run finished or failed (docs/sources.md, "Sync protocol").

Every write after ``begin_run`` is conditional on the run still owning the source (``runId``), and a page is
stored for the source's ``incarnation`` as read: a source deleted or reset meanwhile raises ``SourceGone``
and keeps none of the page."""

from __future__ import annotations

from cairn.core.errors import NotFound
from cairn.sources.adapters.base import Record
from cairn.sources.service.sync_steps import RunOver, SourceView
from cairn.sources.store import records, sources


class StoreLedger:
    def source(self, tenant: str, source_id: str) -> SourceView:
        item = sources.get(tenant, source_id)
        return SourceView(provider=str(item["sourceType"]), config=dict(item.get("config") or {}),
                          cursor=str(item.get("syncCursor") or ""), run_id=str(item.get("runId") or ""), item=item,
                          resume_page=item.get("resumePage") or None,
                          run_watermark=str(item.get("runWatermark") or ""))

    def store_page(self, source: SourceView, run_id: str, page: list[Record], watermark: str) -> int:
        if source.run_id != run_id:
            raise RunOver(f"source '{source.item['sourceId']}' is synced by another run")
        try:
            stored = records.store(source.item, page)
            sources.commit_page(source.item["tenantId"], source.item["sourceId"], run_id, stored=stored,
                                watermark=watermark)
        except sources.SourceGone as gone:
            raise RunOver(gone.message) from gone
        return stored

    def commit(self, tenant: str, source_id: str, run_id: str, cursor: str) -> None:
        try:
            sources.finish_run(tenant, source_id, run_id, cursor)
        except NotFound:
            return  # deleted or reset meanwhile (SourceGone is a NotFound): this run's result is no longer kept

    def pause(self, tenant: str, source_id: str, run_id: str, resume_page: str) -> None:
        try:
            sources.pause_run(tenant, source_id, run_id, resume_page)
        except NotFound:
            return  # deleted or reset meanwhile

    def fail(self, tenant: str, source_id: str, run_id: str, error: str) -> None:
        try:
            sources.fail_run(tenant, source_id, run_id, error)
        except NotFound:
            return  # deleted or reset meanwhile


LEDGER = StoreLedger()
