"""Promote a high-reuse cache entry to long-term, searchable knowledge (docs/metrics.md, "Promote")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.insights.api.models import PromoteKnowledge
from cairn.insights.api.responses import Promoted
from cairn.insights.service import knowledge

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)


@router.post("/promote", response_model=Promoted, response_model_exclude_unset=True)
def promote(project_id: ProjectIdPath, body: PromoteKnowledge, once: Idempotent) -> Any:
    return once(body, lambda: knowledge.promote(once.tenant, project_id, body.model_dump()))
