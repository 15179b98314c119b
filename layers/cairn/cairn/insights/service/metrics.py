"""Session metrics (docs/metrics.md): store one session, and the with/without-memory summary."""

from __future__ import annotations

from typing import Any

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.insights.domain.metrics import Session, newest, summarize
from cairn.insights.store import metrics
from cairn.insights.store.entities import SESSION_METRICS

RECENT_SESSIONS = 10


def put(tenant: str, project_id: str, session: dict[str, Any]) -> dict[str, Any]:
    """Stores (or replaces) one session of a live project."""
    return partition.resolved(tenant, project_id, lambda ref: _put_at(ref, session))


def _put_at(ref: ProjectRef, session: dict[str, Any]) -> dict[str, Any]:
    item = metrics.new_item(ref, session)
    partition.transact(ref, metrics.put_operations(ref, item))
    return SESSION_METRICS.to_wire(item)


def sessions(tenant: str, project_id: str) -> list[dict[str, Any]]:
    """Every stored session of a live project."""
    return partition.resolved(tenant, project_id, metrics.sessions_at)


def summary(tenant: str, project_id: str) -> dict[str, Any]:
    records = sessions(tenant, project_id)
    return {
        **summarize([Session.from_record(record) for record in records]),
        "recentSessions": [dict(record) for record in newest(records, RECENT_SESSIONS)],
    }
