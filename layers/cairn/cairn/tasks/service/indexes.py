"""Project indexes (docs/task-engine.md, "Project indexes"): query by path and content hash, upsert and delete."""

from __future__ import annotations

from typing import Any

from cairn.core.clock import now
from cairn.core.errors import Busy, InvalidInput
from cairn.core.observability import count
from cairn.tasks.domain import indexes as rules
from cairn.tasks.store import indexes as store

_UPSERT_ATTEMPTS = 3


def _epoch_ms() -> int:
    return int(now().timestamp() * 1000)


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    return store.ENTRY.to_wire(item)


def query(installation: str, project_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A same-path match when the path's entry has the asked hash; else a hash-reused match when any path's
    entry has it; paths with neither are not in ``matches``."""
    rules.bounded(len(items), rules.MAX_QUERY_ITEMS, "items")
    asked: dict[str, str] = {}
    for position, item in enumerate(items):
        field = f"items[{position}]"
        path = rules.path(item.get("path"), f"{field}.path")
        if path in asked:
            raise InvalidInput(f"{field}.path names {path!r} twice", field=f"{field}.path")
        asked[path] = rules.content_hash(item.get("hash"), f"{field}.hash")
    stored = store.entries(installation, project_id, list(asked))
    by_hash: dict[str, dict[str, Any] | None] = {}
    matches: dict[str, Any] = {}
    for path, content_hash in asked.items():
        same = stored.get(path)
        if same is not None and same["hash"] == content_hash:
            matches[path] = {"pathMatched": True, "hashMatchedPath": path, "entry": _wire(same)}
            continue
        if content_hash not in by_hash:
            by_hash[content_hash] = store.entry_with_hash(installation, project_id, content_hash)
        reused = by_hash[content_hash]
        if reused is not None:
            matches[path] = {"pathMatched": False, "hashMatchedPath": reused["path"], "entry": _wire(reused)}
    counter = store.counter(installation, project_id) or {}
    count("ProjectIndexQueries", 1)
    return {"ok": True, "updatedAt": counter.get("updatedAt"), "matches": matches}


def upsert(installation: str, project_id: str, entries: dict[str, Any], delete_paths: list[Any]) -> dict[str, Any]:
    rules.bounded(len(entries), rules.MAX_UPSERT_ENTRIES, "entries")
    rules.bounded(len(delete_paths), rules.MAX_DELETE_PATHS, "deletePaths")
    moment = _epoch_ms()
    upserts = {}
    for path, value in entries.items():
        rules.path(path, "entries")
        if not isinstance(value, dict):
            raise InvalidInput(f"entries.{path} must be an object", field=f"entries.{path}")
        upserts[path] = rules.entry(path, value, moment)
    deletions = [rules.path(path, f"deletePaths[{position}]") for position, path in enumerate(delete_paths)]
    both = set(upserts) & set(deletions)
    if both:
        raise InvalidInput(f"deletePaths names {sorted(both)[0]!r}, which entries writes", field="deletePaths")
    deletions = list(dict.fromkeys(deletions))
    for _ in range(_UPSERT_ATTEMPTS):
        existing = set(store.entries(installation, project_id, [*upserts, *deletions]))
        present = [path for path in deletions if path in existing]
        try:
            store.write(installation, project_id, upserts, existing, present, moment)
        except store.Raced:
            continue
        counter = store.counter(installation, project_id) or {}
        count("ProjectIndexUpserts", 1)
        return {"ok": True, "updatedAt": moment, "upserted": len(upserts), "deleted": len(present),
                "totalFiles": int(counter.get("totalFiles", 0))}
    raise Busy("The project index kept changing under this upsert; retry it")
