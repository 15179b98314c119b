"""Liveness probes (no auth, no storage)."""

from __future__ import annotations

from fastapi import APIRouter

from cairn.http.body import JSONRoute

router = APIRouter(route_class=JSONRoute)


@router.get("/healthz")
def healthz() -> dict[str, bool]:
    return {"ok": True}


@router.get("/api/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
