"""Per-branch sequences (milestones, log entries): the counter operation and paging.

A sequence is a head item holding the last sequence number, followed in key order by its
entries, newest first. Appending is optimistic (``cairn.memory.service.appends``): read the head, then one
transaction whose ``counter_operation`` moves the counter only if nobody else moved it first, so numbers
stay gapless and unique.
"""

from __future__ import annotations

from typing import Any

from cairn.aws import blobs
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.memory.store import branches
from cairn.memory.store.branches import Stream, head_sk
from cairn.memory.store.keys import entries_end, entry_sk


def counter_operation(ref: ProjectRef, branch: str, stream: Stream, sequence: int,
                      *, require_active: bool) -> dict[str, Any]:
    counter = branches.HEAD_COUNTER[stream]
    condition = f"{counter} = :previous"
    values: dict[str, Any] = {":previous": sequence - 1, ":sequence": sequence}
    names = None
    if require_active:
        condition += " AND #status = :active"
        values[":active"] = "active"
        names = branches.STATUS_NAMES
    return table().update_op(ref.pk, head_sk(stream, branch),
                             f"SET {counter} = :sequence", condition=condition, names=names, values=values)


def page(ref: ProjectRef, branch: str, stream: Stream, *, limit: int,
         offset: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The head and up to ``limit`` entries, newest first, skipping ``offset``.

    Offset 0 is one Query (the head sorts first). A later page reads the head, then starts
    the Query at the computed key, so what is scanned never grows with the branch's length.
    """
    pk = ref.pk
    head_key = head_sk(stream, branch)
    db = table()
    if offset == 0:
        items = list(db.query_all(pk, sk_between=(head_key, entries_end(head_key)), limit=limit + 1))
        if not items or items[0]["SK"] != head_key:
            branches.missing_head(ref, branch)  # the Query read strongly: the head is missing; which 404?
        head, entries = items[0], items[1:]
    else:
        head = branches.head_at(ref, branch, stream)
        newest = head[branches.HEAD_COUNTER[stream]] - offset
        entries = []
        if newest >= 1:
            entries = list(db.query_all(pk, sk_between=(entry_sk(head_key, newest), entries_end(head_key)),
                                        limit=limit))
    return head, [blobs.hydrate(entry) for entry in entries]
