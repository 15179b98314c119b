"""The model catalog (``GET /v1/models``): public, the same file init and start validate against."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cairn.http.body import JSONRoute
from cairn.tasks.domain.models import catalog

router = APIRouter(route_class=JSONRoute, tags=["models"])


@router.get("/v1/models")
def list_models() -> dict[str, Any]:
    return {"ok": True, "models": [model.to_wire() for model in catalog().models]}
