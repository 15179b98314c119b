"""Per-branch sequences (milestones, log entries): the counter operation and paging.

A sequence is a head item holding the last sequence number, followed in key order by its
entries, newest first. Appending is optimistic (``cairn.memory.service.appends``): read the head, then one
transaction whose ``counter_operation`` moves the counter only if nobody else moved it first, so numbers
stay gapless and unique. The milestone head is followed by the branch's log highlights before its first
milestone (``cairn.memory.store.branches``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cairn.aws import blobs
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.memory.domain.logs import HIGHLIGHTS
from cairn.memory.store import branches
from cairn.memory.store.branches import Stream, head_sk
from cairn.memory.store.keys import HIGHLIGHT_INFIX, entries_end, entry_sk


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


@dataclass(frozen=True)
class FirstPage:
    head: dict[str, Any]
    entries: list[dict[str, Any]]  # newest first, texts read back from S3
    highlights: list[dict[str, Any]]  # the log highlights between a milestone head and its entries (items)


def first_page(ref: ProjectRef, branch: str, stream: Stream, *, limit: int) -> FirstPage:
    """The head, its highlights (milestones) and up to ``limit`` newest entries: one Query (the head sorts first,
    the highlights next)."""
    head_key = head_sk(stream, branch)
    between = HIGHLIGHTS if stream == "milestones" else 0
    items = list(table().query_all(ref.pk, sk_between=(head_key, entries_end(head_key)), limit=limit + 1 + between))
    if not items or items[0]["SK"] != head_key:
        branches.missing_head(ref, branch)  # the Query read strongly: the head is missing; which 404?
    highlight_prefix = head_key + HIGHLIGHT_INFIX
    highlights = [item for item in items[1:] if item["SK"].startswith(highlight_prefix)]
    entries = [item for item in items[1:] if not item["SK"].startswith(highlight_prefix)][:limit]
    return FirstPage(items[0], [blobs.hydrate(entry) for entry in entries], highlights)


def page(ref: ProjectRef, branch: str, stream: Stream, *, limit: int,
         offset: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The head and up to ``limit`` entries, newest first, skipping ``offset``.

    Offset 0 is one Query (``first_page``). A later page reads the head, then starts the Query at the computed
    key, so what is scanned never grows with the branch's length.
    """
    if offset == 0:
        first = first_page(ref, branch, stream, limit=limit)
        return first.head, first.entries
    head_key = head_sk(stream, branch)
    head = branches.head_at(ref, branch, stream)
    newest = head[branches.HEAD_COUNTER[stream]] - offset
    entries = []
    if newest >= 1:
        entries = list(table().query_all(ref.pk, sk_between=(entry_sk(head_key, newest), entries_end(head_key)),
                                         limit=limit))
    return head, [blobs.hydrate(entry) for entry in entries]
