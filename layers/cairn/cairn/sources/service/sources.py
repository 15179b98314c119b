"""Sources: create, list, update, delete, status and records (memory-api.md "External Sources",
docs/sources.md). The sync (``sync*``) builds on the run protocol at the end of this module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairn.core import clock
from cairn.core.errors import InvalidInput, NotFound
from cairn.memory.service import projects
from cairn.sources.domain.records import RemoteItem
from cairn.sources.domain.sources import validate_config
from cairn.sources.store import records, sources
from cairn.sources.store.entities import STATUS_WIRE
from cairn.sources.store.sources import RunRefused, SourceGone

__all__ = ["RunRefused", "SourceGone"]

# Config fields that only label or schedule the source: changing them keeps the cursor and the records.
_KEEPING = frozenset({"syncIntervalMinutes", "channelName"})


def create(tenant: str, source_id: str, project_id: str, source_type: str, config: dict[str, Any]) -> dict[str, Any]:
    validate_config(source_type, config)
    projects.get(tenant, project_id)  # 404 unless the tenant has this project live
    item = sources.new_source(tenant, source_id, project_id, source_type, config)
    sources.create(item)
    return sources.to_wire(item)


def list_all(tenant: str) -> list[dict[str, Any]]:
    return [sources.to_wire(item) for item in sources.list_all(tenant)]


def get_source(tenant: str, source_id: str) -> dict[str, Any]:
    """The source item as stored (with ``incarnation``, ``runId``...); ``NotFound`` when missing."""
    return sources.get(tenant, source_id)


def get(tenant: str, source_id: str) -> dict[str, Any]:
    return sources.to_wire(sources.get(tenant, source_id))


def status_of(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in STATUS_WIRE}


def status(tenant: str, source_id: str) -> dict[str, Any]:
    return status_of(sources.get(tenant, source_id))


def _targets(config: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in config.items() if name not in _KEEPING}


def update(tenant: str, source_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A partial update. A new project, type or target (config other than its label and interval) starts
    the source over: its records are removed and its cursor cleared, so the next sync ingests afresh."""
    previous = sources.get(tenant, source_id)
    source_type = changes.get("sourceType", previous["sourceType"])
    config = changes.get("config", previous["config"])
    if "sourceType" in changes and "config" not in changes:
        try:
            validate_config(source_type, config)
        except InvalidInput as invalid:
            raise InvalidInput(f"{invalid.message} (a new sourceType needs its config)", field=invalid.field) \
                from None
    validate_config(source_type, config)
    project_id = changes.get("projectId", previous["projectId"])
    if project_id != previous["projectId"]:
        projects.get(tenant, project_id)
    reset = (project_id != previous["projectId"] or source_type != previous["sourceType"]
             or _targets(config) != _targets(previous["config"]))
    updated = sources.replace(previous, changes, reset=reset)
    if reset:
        records.remove(tenant, previous["projectId"], source_id)
    return sources.to_wire(updated)


def delete(tenant: str, source_id: str) -> None:
    """Deletes the source (off the due index with it) and then its records."""
    gone = sources.delete(tenant, source_id)
    records.remove(tenant, gone["projectId"], source_id)


def record_to_wire(item: dict[str, Any]) -> dict[str, Any]:
    """A record item (as a search hit holds it) in its wire shape."""
    return records.to_wire(item)


def list_records(tenant: str, source_id: str, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """Newest first. None while the source's project is deleted (its purge is removing them), and only the
    source's current incarnation (a reset's sweep may still be running)."""
    source = sources.get(tenant, source_id)  # 404 for an unknown source (or another tenant's)
    try:
        projects.get(tenant, source["projectId"])
    except NotFound:
        return []
    return records.page(tenant, source_id, limit=limit, offset=offset, incarnation=source["incarnation"])


# --- the run protocol the sync builds on (docs/sources.md, "Sync protocol") -----------------------------------


def begin_run(tenant: str, source_id: str, run_id: str) -> dict[str, Any]:
    """Marks run ``run_id`` started and answers the source. ``RunRefused`` (a Conflict; ``.running`` and
    ``.item``) when the source is disabled or runs already; ``NotFound`` when it is gone."""
    return sources.begin_run(tenant, source_id, run_id)


def store_records(tenant: str, source_id: str, run_id: str, items: Sequence[RemoteItem]) -> int:
    """Upserts a page of records (idempotent by remote id) into the source's project, searchable; answers
    how many. ``SourceGone`` when the source was deleted or reset or the run is no longer its run (what was
    written is removed again); ``NotFound`` when the project was deleted."""
    source = sources.get(tenant, source_id)
    if source.get("runId") != run_id:
        raise SourceGone(f"run {run_id} is not the running sync of source '{source_id}'", field="id")
    return records.store(source, items)


def commit_page(tenant: str, source_id: str, run_id: str, *, stored: int, watermark: str) -> dict[str, Any]:
    """Counts a stored page in ``itemsSynced`` and keeps the run's newest watermark (``runWatermark``)."""
    return sources.commit_page(tenant, source_id, run_id, stored=stored, watermark=watermark)


def finish_run(tenant: str, source_id: str, run_id: str, cursor: str) -> dict[str, Any]:
    """Commits ``cursor`` (unless empty), ``lastSyncedAt``, state ``idle`` and the next due time."""
    return sources.finish_run(tenant, source_id, run_id, cursor)


def fail_run(tenant: str, source_id: str, run_id: str, last_error: str) -> dict[str, Any]:
    """State ``failed`` with ``lastError``; the cursor stays where the last finished run left it."""
    return sources.fail_run(tenant, source_id, run_id, last_error)


def due_sources(limit: int = 1000) -> list[tuple[str, str]]:
    """(tenant, sourceId) of enabled sources due now, across tenants: one Query of the due index."""
    return [(item["tenantId"], item["sourceId"]) for item in sources.due(clock.utc_now(), limit)]
