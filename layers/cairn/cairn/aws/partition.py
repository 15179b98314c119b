"""The project partition every context's items live in (docs/key-design.md, docs/memory-model.md).

A project's ``PROJECT`` item leads its partition; every write into the partition, whichever context makes it,
carries the project's live condition so that nothing lands in a project being deleted. A project id may
have several generations ("Delete and recreate"); which one a request addresses is resolved here.

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

from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import TransactionCancelled, table
from cairn.core.errors import NotFound

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


# --- liveness -------------------------------------------------------------------------------------------

LIVE = "live"


DELETING = "deleting"


# Generation 0's PROJECT item once its own generation is purged and a later one exists: a slim anchor
# naming ``latestGeneration``, never listed and never purged.
MOVED = "moved"


# Every write that touches a project's content carries this condition, so that nothing is
# written into a project once its deletion has begun.
LIVE_CONDITION = "#lifecycle = :live"


LIVE_NAMES = {"#lifecycle": "lifecycle"}


LIVE_VALUES = {":live": LIVE}


def is_live(item: dict[str, Any] | None) -> bool:
    return item is not None and item.get("lifecycle") == LIVE


def require_live(item: dict[str, Any] | None, ref: ProjectRef) -> dict[str, Any]:
    """``item`` (the PROJECT item read at ``ref``) if live, else ``NotLive`` (a 404 unless recreated)."""
    if not is_live(item):
        raise NotLive(ref, item)
    assert item is not None
    return item


def generation_of(item: dict[str, Any]) -> int:
    return int(item.get("generation") or 0)


def ref_of(item: dict[str, Any]) -> ProjectRef:
    """The generation a PROJECT item (from the listing index or a read) belongs to."""
    return ProjectRef(item["tenantId"], item["projectId"], generation_of(item))


def get_at(ref: ProjectRef) -> dict[str, Any]:
    return require_live(table().get(ref.pk, PROJECT_SK), ref)


def read_live(refs: list[ProjectRef], sort_keys: tuple[str, ...]) -> list[tuple[ProjectRef, dict[str, Any]]]:
    """Reads ``PROJECT`` and ``sort_keys`` of each project (BatchGetItem, 100 keys per call) and returns the
    live ones, in order, with their items by SK. A project recreated since the cache saw it is followed to
    its latest generation (more calls only then: the anchors that are not already read, then the items)."""
    keys = [PROJECT_SK, *(sk for sk in sort_keys if sk != PROJECT_SK)]
    db = table()
    found = db.get_many([(ref.pk, sk) for ref in refs for sk in keys])
    result: dict[int, ProjectRef] = {}
    unknown: dict[int, ProjectRef] = {}
    for index, ref in enumerate(refs):
        item = found.get((ref.pk, PROJECT_SK))
        if is_live(item):
            result[index] = ref
            continue
        hint = NotLive(ref, item).latest_hint()
        if hint is None:
            unknown[index] = ref
        elif hint != ref.generation:
            result[index] = ref.at(hint)
    if unknown:
        anchors = db.get_many([(ref.anchor.pk, PROJECT_SK) for ref in unknown.values()])
        for index, ref in unknown.items():
            latest = int((anchors.get((ref.anchor.pk, PROJECT_SK)) or {}).get(LATEST) or 0)
            if latest != ref.generation:
                result[index] = ref.at(latest)
    missing = [ref for ref in result.values() if (ref.pk, PROJECT_SK) not in found]
    if missing:
        found.update(db.get_many([(ref.pk, sk) for ref in missing for sk in keys]))
    live = []
    for index in sorted(result):
        ref = result[index]
        if is_live(found.get((ref.pk, PROJECT_SK))):
            live.append((remember(ref), {sk: found.get((ref.pk, sk)) for sk in keys}))
    return live


def transact(ref: ProjectRef, operations: list[dict[str, Any]]) -> None:
    """Runs a transaction whose first operation is on the project (``touch_operation`` or
    ``live_check_operation``): its failure means the project is not live there (``NotLive``). Other
    failures are raised as they are, for the caller to name."""
    try:
        table().transact(operations)
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise not_live(ref, cancelled, 0) from cancelled
        raise


def not_live(ref: ProjectRef, cancelled: TransactionCancelled, index: int) -> NotLive:
    """The ``NotLive`` of a transaction whose project operation at ``index`` failed (it returns the old image)."""
    return NotLive(ref, cancelled.items[index] if index < len(cancelled.items) else None)


def live_check_operation(ref: ProjectRef) -> dict[str, Any]:
    """A transaction operation that only proves the project is live (it writes nothing to it)."""
    return table().check_op(ref.pk, PROJECT_SK, LIVE_CONDITION, names=LIVE_NAMES, values=LIVE_VALUES,
                            return_old=True)


def touch_operation(ref: ProjectRef, update: str, values: dict[str, Any]) -> dict[str, Any]:
    """A transaction operation on the project item that also proves it is live."""
    return table().update_op(
        ref.pk,
        PROJECT_SK,
        update,
        condition=LIVE_CONDITION,
        names=LIVE_NAMES,
        values={**LIVE_VALUES, **values},
        return_old=True,
    )
