"""Which generation of a project a request addresses (docs/memory-model.md, "Delete and recreate").

A project recreated after a delete lives in a new generation (its own partition, blob prefix and index
entries, ``keys.ProjectRef``), while the old one is purged in the background. The ``PROJECT`` item of
generation 0 is the anchor: once the project was recreated it holds ``latestGeneration``.

Resolution costs nothing for a project never recreated: a request addresses the generation this container
last saw (generation 0 when it saw none), and the read or write it makes anyway proves that generation live
(every one reads or conditions on the partition's ``PROJECT`` item). Only when it is not live may the
project live on in another generation: the anchor says which (read with the request when the request
addressed generation 0, else one GetItem), and the operation runs once more there. So a recreated project
pays one or two extra calls in a container's first request after the recreate, none afterwards.

The cache is per process, bounded, and never trusted: a stale entry only costs that one retry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from cairn.domain.errors import NotFound
from cairn.store.keys import PROJECT_SK, ProjectRef
from cairn.store.table import table

T = TypeVar("T")
LATEST = "latestGeneration"  # on the anchor, once the project was recreated
_CACHE_MAX = 10_000
_lock = threading.Lock()
_cache: dict[tuple[str, str], int] = {}


class NotLive(NotFound):
    """The ``PROJECT`` item at ``ref`` is missing or not live: a 404, unless ``resolved`` finds the project
    live in another generation. ``item`` is that item as read (None when missing); ``known`` is False
    when it was not read (a write's condition failed without returning the old image)."""

    def __init__(self, ref: ProjectRef, item: dict[str, Any] | None, *, known: bool = True) -> None:
        super().__init__(f"project '{ref.project_id}' not found", field="id")
        self.ref = ref
        self.item = item
        self.known = known

    def latest_hint(self) -> int | None:
        """The latest generation when the item read tells it (it is the anchor), else None."""
        if self.ref.generation == 0 and self.known:
            return int((self.item or {}).get(LATEST) or 0)
        return None


def current(tenant: str, project_id: str) -> ProjectRef:
    """The generation this container last saw live (0 unless it saw a recreated project)."""
    with _lock:
        return ProjectRef(tenant, project_id, _cache.get((tenant, project_id), 0))


def remember(ref: ProjectRef) -> ProjectRef:
    with _lock:
        key = (ref.tenant, ref.project_id)
        if ref.generation == 0:
            _cache.pop(key, None)
        else:
            if len(_cache) >= _CACHE_MAX and key not in _cache:
                _cache.clear()
            _cache[key] = ref.generation
    return ref


def forget_all() -> None:
    """Tests start a fresh table: what this process saw before means nothing there."""
    with _lock:
        _cache.clear()


def latest_generation(tenant: str, project_id: str) -> int:
    """The latest generation the anchor names (0 when the project was never recreated): one GetItem."""
    anchor = table().get(ProjectRef(tenant, project_id).pk, PROJECT_SK)
    return int((anchor or {}).get(LATEST) or 0)


def relocated(missing: NotLive) -> ProjectRef | None:
    """Where a project not live at ``missing.ref`` lives on, if it was recreated; None when the 404 stands."""
    ref = missing.ref
    latest = missing.latest_hint()
    if latest is None:
        latest = latest_generation(ref.tenant, ref.project_id)
    return None if latest == ref.generation else ref.at(latest)


def resolved(tenant: str, project_id: str, operation: Callable[[ProjectRef], T]) -> T:
    """Runs ``operation`` on the project's current generation. A ``NotLive`` raised for that generation is
    followed once to the generation the anchor names (an operation that failed its live condition wrote
    nothing, so running it again is safe); otherwise it is the answer, a 404."""
    ref = current(tenant, project_id)
    try:
        return operation(ref)
    except NotLive as missing:
        if missing.ref != ref:
            raise
        moved = relocated(missing)
        if moved is None:
            raise
    return operation(remember(moved))
