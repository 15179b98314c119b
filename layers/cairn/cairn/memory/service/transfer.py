"""Exporting and importing a project's memory (docs/platform.md, "Jobs"). Export: the live generation's items
as portable records, one page at a time, so a large project never sits in memory whole; an export may run over
several invocations: ``export_page`` goes on from the cursor the previous page answered. Import: the records
written into a new, hidden project that one write makes live at the end (or that is purged)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.memory.store import purge, transfer
from cairn.memory.store.transfer import ExportPage, NotARecord, TargetTaken

__all__ = ["ExportPage", "NotARecord", "TargetTaken"]

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


def target_taken(tenant: str, project_id: str) -> bool:
    """Whether an import may not use ``project_id`` (any project item holds it: live, deleting, importing)."""
    return transfer.target_taken(tenant, project_id)


def claim(tenant: str, project_id: str, job_id: str) -> None:
    """Reserves ``project_id`` as ``job_id``'s hidden copy (``TargetTaken``, a 409, when the id is in use)."""
    transfer.claim(tenant, project_id, job_id)


def restore_page(tenant: str, project_id: str, job_id: str, records: list[dict[str, Any]]) -> int:
    """Writes one page of a project's exported records into ``job_id``'s hidden copy ``project_id``."""
    return transfer.restore_page(tenant, project_id, job_id, records)


def live_operation(tenant: str, project_id: str, job_id: str) -> dict[str, Any]:
    """The transact item that makes the hidden copy live and listed: the job commits it with its own settle."""
    return transfer.live_operation(tenant, project_id, job_id)


def abandon(tenant: str, project_id: str, job_id: str) -> None:
    """Removes ``job_id``'s hidden copy (marked deleting, then purged as a deleted project is); nothing
    when the job holds none there."""
    if transfer.abandon(tenant, project_id, job_id):
        purge.start_purge(tenant, project_id)
