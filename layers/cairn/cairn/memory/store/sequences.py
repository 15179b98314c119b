"""Per-branch sequenced streams (milestones, log entries): gapless numbering and paging.

A stream is a head item holding the last sequence number, followed in key order by its
entries, newest first. Appending is optimistic: read the head, then one transaction that
moves the counter only if nobody else moved it first, so numbers stay gapless and unique.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

from cairn.aws import blobs
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table
from cairn.core.errors import Busy
from cairn.memory.store import branches
from cairn.memory.store.keys import entries_end, entry_sk, log_head_sk, milestone_head_sk

# Optimistic retries when another writer moved the branch's counter first: capped exponential backoff with full
# jitter, within a time budget well under the client's timeout (API Gateway 30 s, Lambda 29 s). One attempt is
# two DynamoDB round trips (~10 ms in AWS), so in AWS a branch with dozens of concurrent writers settles in well
# under a second. The budget is sized for the local stack, where every DynamoDB request is serialized and a
# store costs tens of ms: 50 concurrent writers need several seconds of the emulator's time in all, and a
# budget of 5 s turned half of them into 503s. Then Busy (503, Retry-After).
RETRY_BUDGET_SECONDS = 15.0
MAX_ATTEMPTS = 500  # a bound should the clock misbehave; the budget ends retries long before
BACKOFF_BASE_SECONDS = 0.002
BACKOFF_CAP_SECONDS = 0.1


def head_sk(stream: str, branch: str) -> str:
    return milestone_head_sk(branch) if stream == "milestones" else log_head_sk(branch)


def retrying(branch: str) -> Iterator[int]:
    """Yields attempt numbers until the caller returns, sleeping between them a random time up to a bound that
    doubles per attempt (capped); raises Busy when the next sleep would end past the time budget."""
    deadline = time.monotonic() + RETRY_BUDGET_SECONDS
    for attempt in range(MAX_ATTEMPTS):
        yield attempt
        pause = random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** attempt))  # noqa: S311 - jitter
        if time.monotonic() + pause > deadline:
            break
        time.sleep(pause)
    raise Busy(f"too many concurrent writes to branch '{branch}'; retry the request")


def attempts(ref: ProjectRef, branch: str, stream: str) -> Iterator[tuple[dict[str, Any], int]]:
    """Yields (head, next sequence number) for each try; the caller returns on success."""
    for _ in retrying(branch):
        head = branches.head_at(ref, branch, stream)
        yield head, head[branches.HEAD_COUNTER[stream]] + 1


def counter_operation(ref: ProjectRef, branch: str, stream: str, sequence: int,
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


def page(ref: ProjectRef, branch: str, stream: str, *, limit: int,
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
