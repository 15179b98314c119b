"""Exporting a project's memory (docs/platform.md, "Jobs"): the live generation's items as portable
records, one page at a time, so a large project never sits in memory whole. An export may run over several
invocations: ``export_page`` goes on from the cursor the previous page answered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.memory.store import transfer
from cairn.memory.store.transfer import ExportPage

# Items a page holds (another context pages with this, never reaching into memory.store).
PAGE_ITEMS = transfer.PAGE_ITEMS


def export_page(tenant: str, project_id: str, cursor: dict[str, Any] | None = None, *,
                limit: int = PAGE_ITEMS) -> ExportPage:
    """One page of the project's records, in the partition's sort-key order, from ``cursor`` (None: the
    start). A project that is not live (absent, another tenant's, being deleted) is ``NotLive``, a 404."""
    ref = partition.resolved(tenant, project_id, _live)
    return transfer.export_page(ref, cursor, limit=limit)


def export_pages(tenant: str, project_id: str, *, limit: int = PAGE_ITEMS) -> Iterator[list[dict[str, Any]]]:
    """Every page of the project's records; ``NotLive`` is raised before the first page."""
    first = export_page(tenant, project_id, limit=limit)
    return _pages(tenant, project_id, first, limit)


def _live(ref: ProjectRef) -> ProjectRef:
    partition.get_at(ref)
    return ref


def _pages(tenant: str, project_id: str, page: ExportPage, limit: int) -> Iterator[list[dict[str, Any]]]:
    while True:
        if page.records:
            yield page.records
        if page.cursor is None:
            return
        page = export_page(tenant, project_id, page.cursor, limit=limit)
