"""Session metrics: one ``METRIC#{sessionId}`` item per session in the project's partition.

Storing a session is a Put keyed by its id, so posting the same session again replaces it and
the summary never counts it twice. The summary reads every session with one Query (per 1 MB page)
and computes the figures in ``cairn.insights.domain.metrics`` (docs/metrics.md).
"""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef, escape
from cairn.aws.table import table
from cairn.core.clock import utc_now
from cairn.insights.domain.metrics import Session, newest, summarize

METRIC_PREFIX = "METRIC#"
RECENT_SESSIONS = 10
SESSION_FIELDS = (
    "sessionId", "branchName", "agentId", "agentType", "milestonesRecalled", "compactionCount",
    "toolCallsTotal", "toolCallsRead", "toolCallsSearch", "toolCallsEdit", "toolCallsExecute",
    "toolCallsAgent", "sessionDurationSecs", "startedAt", "endedAt",
)
_WIRE_FIELDS = ("projectId", *SESSION_FIELDS, "recordedAt")


def metric_sk(session_id: str) -> str:
    return f"{METRIC_PREFIX}{escape(session_id)}"


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {field: item[field] for field in _WIRE_FIELDS if field in item}


def put(tenant: str, project_id: str, session: dict[str, Any]) -> dict[str, Any]:
    """Stores (or replaces) one session. The project must be live; its ``updatedAt`` is left alone
    (metrics describe how agents used the memory; they are not memory)."""
    return partition.resolved(tenant, project_id, lambda ref: _put_at(ref, session))


def _put_at(ref: ProjectRef, session: dict[str, Any]) -> dict[str, Any]:
    item = {
        "PK": ref.pk,
        "SK": metric_sk(session["sessionId"]),
        "entity": "session-metrics",
        "projectId": ref.project_id,
        **{field: session[field] for field in SESSION_FIELDS},
        "recordedAt": utc_now(),
    }
    partition.transact(ref, [partition.live_check_operation(ref), table().put_op(item)])
    return to_wire(item)


def sessions(tenant: str, project_id: str) -> list[dict[str, Any]]:
    """Every stored session of a live project: a GetItem of the project, then one Query
    (one call per 1 MB of sessions)."""
    return partition.resolved(tenant, project_id, _sessions_at)


def _sessions_at(ref: ProjectRef) -> list[dict[str, Any]]:
    partition.get_at(ref)
    return [to_wire(item) for item in table().query_all(ref.pk, sk_prefix=METRIC_PREFIX)]


def summary(tenant: str, project_id: str) -> dict[str, Any]:
    records = sessions(tenant, project_id)
    return {
        **summarize([Session.from_record(record) for record in records]),
        "recentSessions": [dict(record) for record in newest(records, RECENT_SESSIONS)],
    }
