"""Project index entries in the table: one item per file path in the project's index partition, in GSI1 under
its content hash (so hash reuse is one key-bound Query, not a read of every entry), and one counter item per
project (``totalFiles``, ``updatedAt``) written in the same transaction as the entries it counts."""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import TransactionCancelled, table

ENTRY = declare(Entity("project index entry", pk="T#{t}#PIDX#{p}", sk="F#{path}",
                       wire=("hash", "updatedAt", "short", "detailed", "important_symbols", "dependencies",
                             "exports")))
COUNTER_SK = "META"
COUNTER = declare(Entity("project index counter", pk="T#{t}#PIDX#{p}", sk=COUNTER_SK))


class Raced(Exception):
    """Another upsert changed one of the same paths between this one's read and its write."""


def index_pk(installation: str, project_id: str) -> str:
    return f"T#{escape(installation)}#PIDX#{escape(project_id)}"


def entry_sk(path: str) -> str:
    return f"F#{escape(path)}"


def hash_pk(installation: str, project_id: str, content_hash: str) -> str:
    return f"{index_pk(installation, project_id)}#H#{content_hash}"


def entries(installation: str, project_id: str, paths: list[str]) -> dict[str, dict[str, Any]]:
    """The stored entries of ``paths`` (absent ones left out), by path: one BatchGetItem."""
    pk = index_pk(installation, project_id)
    found = table().get_many([(pk, entry_sk(path)) for path in paths])
    return {item["path"]: item for item in found.values()}


def counter(installation: str, project_id: str) -> dict[str, Any] | None:
    return table().get(index_pk(installation, project_id), COUNTER_SK)


def entry_with_hash(installation: str, project_id: str, content_hash: str) -> dict[str, Any] | None:
    """One entry whose content has ``content_hash`` (the first path in key order): one Query of GSI1."""
    page = table().query(hash_pk(installation, project_id, content_hash), index="GSI1", limit=1)
    return page.items[0] if page.items else None


def write(installation: str, project_id: str, upserts: dict[str, dict[str, Any]], existing: set[str],
          deletions: list[str], updated_at: int) -> None:
    """One transaction: every upsert (a new path only if still absent, a known one only if still present), every
    deletion of a path that exists, and the counter moved by the difference. Raises Raced when a concurrent
    upsert changed one of these paths since they were read."""
    db = table()
    pk = index_pk(installation, project_id)
    operations = []
    for path, fields in upserts.items():
        item = {"PK": pk, "SK": entry_sk(path), "entity": ENTRY.name, "path": path, **fields,
                "GSI1PK": hash_pk(installation, project_id, fields["hash"]), "GSI1SK": escape(path)}
        condition = "attribute_exists(PK)" if path in existing else "attribute_not_exists(PK)"
        operations.append(db.put_op(item, condition))
    for path in deletions:
        operations.append(db.delete_op(pk, entry_sk(path), "attribute_exists(PK)"))
    added = len([path for path in upserts if path not in existing]) - len(deletions)
    operations.append(db.update_op(pk, COUNTER_SK, "SET entity = :entity, updatedAt = :now ADD totalFiles :added",
                                   values={":entity": COUNTER.name, ":now": updated_at, ":added": added}))
    try:
        db.transact(operations)
    except TransactionCancelled as cancelled:
        if any(cancelled.failed(index) for index in range(len(operations))) or cancelled.conflicting:
            raise Raced from cancelled
        raise
