"""Project indexes (docs/task-engine.md, "Project indexes"): explainer entries keyed by file path, reused by path
or by content hash. Batches are bounded so that one upsert is one transaction."""

from __future__ import annotations

import re
from typing import Any

from cairn.core.errors import InvalidInput

MAX_QUERY_ITEMS = 100  # one BatchGetItem
# One upsert is one TransactWriteItems (at most 100 items): the entries, the deletions and the index's counter.
MAX_UPSERT_ENTRIES = 50
MAX_DELETE_PATHS = 49
MAX_PATH_CHARS = 1024
MAX_SHORT_CHARS = 1_000
MAX_DETAILED_CHARS = 20_000
MAX_LIST_ITEMS = 200
MAX_LIST_ITEM_CHARS = 512
LIST_FIELDS = ("important_symbols", "dependencies", "exports")
_HASH = re.compile(r"^[0-9a-fA-F]{64}$")


def path(value: object, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_PATH_CHARS or "\x00" in value:
        raise InvalidInput(f"{field}: a path is a non-empty string of at most {MAX_PATH_CHARS} characters",
                           field=field)
    return value


def content_hash(value: object, field: str) -> str:
    """A SHA-256 hex digest (64 hex characters), stored lowercase."""
    if not isinstance(value, str) or not _HASH.match(value):
        raise InvalidInput(f"{field}: hash must be 64 hexadecimal characters (a SHA-256 digest)", field=field)
    return value.lower()


def entry(file_path: str, value: dict[str, Any], updated_at: int) -> dict[str, Any]:
    """An entry to store: its hash validated, its texts and lists bounded; ``updatedAt`` (epoch ms) is the
    client's when given, else the server's."""
    field = f"entries.{file_path}"
    stored: dict[str, Any] = {"hash": content_hash(value.get("hash"), f"{field}.hash")}
    client_time = value.get("updatedAt")
    if client_time is not None and (not isinstance(client_time, int) or isinstance(client_time, bool)
                                    or client_time < 0):
        raise InvalidInput(f"{field}.updatedAt must be epoch milliseconds", field=f"{field}.updatedAt")
    stored["updatedAt"] = client_time if client_time is not None else updated_at
    for name, limit in (("short", MAX_SHORT_CHARS), ("detailed", MAX_DETAILED_CHARS)):
        text = value.get(name)
        if text is None:
            continue
        if not isinstance(text, str) or len(text) > limit:
            raise InvalidInput(f"{field}.{name} must be text of at most {limit} characters", field=f"{field}.{name}")
        stored[name] = text
    for name in LIST_FIELDS:
        items = value.get(name)
        if items is None:
            continue
        if (not isinstance(items, list) or len(items) > MAX_LIST_ITEMS
                or not all(isinstance(item, str) and len(item) <= MAX_LIST_ITEM_CHARS for item in items)):
            raise InvalidInput(f"{field}.{name} must be a list of at most {MAX_LIST_ITEMS} strings of at most "
                               f"{MAX_LIST_ITEM_CHARS} characters", field=f"{field}.{name}")
        stored[name] = items
    return stored


def bounded(count: int, limit: int, field: str) -> None:
    if count > limit:
        raise InvalidInput(f"{field} holds {count} items; at most {limit} per request", field=field)
