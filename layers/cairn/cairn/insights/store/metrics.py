"""Session metrics: one ``METRIC#{sessionId}`` item per session in the project's partition.

Storing a session is a Put keyed by its id, so posting the same session again replaces it and
the summary never counts it twice. The summary reads every session with one Query (per 1 MB page);
its figures are computed in ``cairn.insights.domain.metrics`` (docs/metrics.md).
"""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef, escape
from cairn.aws.table import table
from cairn.core.clock import utc_now
from cairn.insights.store.entities import SESSION_FIELDS, SESSION_METRICS

METRIC_PREFIX = "METRIC#"


def metric_sk(session_id: str) -> str:
    return f"{METRIC_PREFIX}{escape(session_id)}"


def new_item(ref: ProjectRef, session: dict[str, Any]) -> dict[str, Any]:
    return {
        "PK": ref.pk,
        "SK": metric_sk(session["sessionId"]),
        "entity": SESSION_METRICS.name,
        "projectId": ref.project_id,
        **{field: session[field] for field in SESSION_FIELDS},
        "recordedAt": utc_now(),
    }


def put_operations(ref: ProjectRef, item: dict[str, Any]) -> list[dict[str, Any]]:
    """Proves the project live (it is left alone: metrics describe how agents used the memory; they are
    not memory) and puts the session, replacing the same session's earlier report."""
    return [partition.live_check_operation(ref), table().put_op(item)]


def sessions_at(ref: ProjectRef) -> list[dict[str, Any]]:
    """Every stored session of a live project generation in wire shape: a GetItem of the project, then
    one Query (one call per 1 MB of sessions)."""
    partition.get_at(ref)
    return [SESSION_METRICS.to_wire(item) for item in table().query_all(ref.pk, sk_prefix=METRIC_PREFIX)]
