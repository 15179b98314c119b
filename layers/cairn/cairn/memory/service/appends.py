"""Optimistic appends to a branch's sequence (milestones, log entries): read the head, then one transaction
that moves its counter only if nobody moved it first; a writer that lost the race reads the head again.

Retries back off exponentially (capped) with full jitter, within a time budget well under the client's
timeout (API Gateway 30 s, Lambda 29 s). One attempt is two DynamoDB round trips (~10 ms in AWS), so in AWS
a branch with dozens of concurrent writers settles in well under a second. The budget is sized for the local
stack, where every DynamoDB request is serialized and a store costs tens of ms: 50 concurrent writers need
several seconds of the emulator's time in all, and a budget of 5 s turned half of them into 503s. Then Busy
(503, Retry-After).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

from cairn.aws.keys import ProjectRef
from cairn.core.errors import Busy
from cairn.memory.store import branches
from cairn.memory.store.branches import Stream

RETRY_BUDGET_SECONDS = 15.0
MAX_ATTEMPTS = 500  # a bound should the clock misbehave; the budget ends retries long before
BACKOFF_BASE_SECONDS = 0.002
BACKOFF_CAP_SECONDS = 0.1


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


def attempts(ref: ProjectRef, branch: str, stream: Stream) -> Iterator[tuple[dict[str, Any], int]]:
    """Yields (head, next sequence number) for each try; the caller returns on success."""
    for _ in retrying(branch):
        head = branches.head_at(ref, branch, stream)
        yield head, head[branches.HEAD_COUNTER[stream]] + 1
