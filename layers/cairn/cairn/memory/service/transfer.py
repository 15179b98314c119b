"""Exporting a project's memory (docs/platform.md, "Jobs"): the live generation's items as portable
records, one page at a time, so a large project never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.memory.store import transfer


def export_pages(tenant: str, project_id: str, *, limit: int = transfer.PAGE_ITEMS) -> Iterator[list[dict[str, Any]]]:
    """The project's records, page by page, in the partition's sort-key order. A project that is not live
    (absent, another tenant's, being deleted) is ``NotLive``, a 404, raised before the first page."""
    ref = partition.resolved(tenant, project_id, _live)
    return _pages(ref, limit)


def _live(ref: ProjectRef) -> ProjectRef:
    partition.get_at(ref)
    return ref


def _pages(ref: ProjectRef, limit: int) -> Iterator[list[dict[str, Any]]]:
    cursor: dict[str, Any] | None = None
    while True:
        page = transfer.export_page(ref, cursor, limit=limit)
        if page.records:
            yield page.records
        if page.cursor is None:
            return
        cursor = page.cursor
