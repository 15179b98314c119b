"""Session metrics: store one session, and the with/without-memory summary (docs/metrics.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.insights.api.models import StoreSessionMetrics
from cairn.insights.api.responses import MetricsSummary, SessionMetrics
from cairn.insights.service import metrics

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)


@router.post("/metrics", response_model=SessionMetrics, response_model_exclude_unset=True)
def store_metrics(project_id: ProjectIdPath, body: StoreSessionMetrics, once: Idempotent) -> Any:
    return once(body, lambda: metrics.put(once.tenant, project_id, body.model_dump()))


@router.get("/metrics/summary", response_model=MetricsSummary, response_model_exclude_unset=True)
def metrics_summary(project_id: ProjectIdPath, principal: Reader) -> dict[str, Any]:
    return metrics.summary(principal.tenant, project_id)
