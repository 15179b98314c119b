"""The failures index (docs/platform.md, "Health, engine status and the ops view"): every item that fails
carries the sparse GSI2 attributes ``T#{tenant}#FAILURES`` / ``{failedAt}#{kind}#{id}``, SET in the same write
that marks it failed and REMOVEd in the same write that marks it recovered (a retry that succeeded), so
``GET /api/v1/agent-runtime/failures`` is one Query of one partition, newest first, whatever the tenant's
history holds.

A shared room, not a context: workflow executions (``cairn.aws.workflows``), outbox events
(``cairn.aws.outbox``), webhook deliveries and jobs all fail, and their writers cannot import each other.

Kinds: ``workflow`` (an execution settled ``failed``), ``delivery`` (a webhook delivery that is failing or
exhausted its attempts), ``outbox`` (an event whose publish failed), ``job`` (an export or import that failed).
A kind's item must also answer, on the wire, its own failure fields; the ops view reads them per kind.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import unquote

from cairn.aws.keys import escape

INDEX: Final = "GSI2"
WORKFLOW: Final = "workflow"
DELIVERY: Final = "delivery"
OUTBOX: Final = "outbox"
JOB: Final = "job"
KINDS: Final = (WORKFLOW, DELIVERY, OUTBOX, JOB)

# Appended to an update expression's REMOVE list by the write that marks an item recovered:
# ``"SET ... REMOVE " + REMOVE_CLAUSE`` (names need no alias: neither is a reserved word).
REMOVE_CLAUSE: Final = "GSI2PK, GSI2SK, failureKind"
ATTRIBUTES: Final = ("GSI2PK", "GSI2SK", "failureKind")
# The SET part of an update that marks an item failed, with ``set_values``: ``"SET ..., " + SET_CLAUSE``.
SET_CLAUSE: Final = "GSI2PK = :fpk, GSI2SK = :fsk, failureKind = :fkind"


def failures_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#FAILURES"


def failure_sk(kind: str, item_id: str, failed_at: str) -> str:
    return f"{failed_at}#{kind}#{escape(item_id)}"


def failure_keys(tenant: str, kind: str, item_id: str, failed_at: str) -> dict[str, str]:
    """The sparse attributes that list the item among ``tenant``'s failures: put them on the item (a put) or
    ``SET_CLAUSE`` with ``set_values`` (an update), in the write that marks it failed. ``failureKind`` repeats
    the key's kind outside the index keys, where a Query's FilterExpression (the ``kind`` filter) may read it."""
    if kind not in KINDS:
        raise ValueError(f"unknown failure kind {kind!r}")
    return {"GSI2PK": failures_pk(tenant), "GSI2SK": failure_sk(kind, item_id, failed_at), "failureKind": kind}


def set_values(tenant: str, kind: str, item_id: str, failed_at: str) -> dict[str, str]:
    """The values of ``SET_CLAUSE`` (``"SET ..., " + SET_CLAUSE``)."""
    keys = failure_keys(tenant, kind, item_id, failed_at)
    return {":fpk": keys["GSI2PK"], ":fsk": keys["GSI2SK"], ":fkind": keys["failureKind"]}


def parse_sk(sort_key: str) -> tuple[str, str, str]:
    """``(failedAt, kind, item id)`` of a failures-index sort key (a timestamp holds no ``#``)."""
    failed_at, kind, escaped_id = sort_key.split("#", 2)
    return failed_at, kind, unquote(escaped_id)  # the inverse of escape
