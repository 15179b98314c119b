"""Health probes, the engine's status and the published contract (no auth).

``/healthz`` is liveness only (no storage call: a load balancer may poll it often); ``/health`` and
``/api/v1/health`` are readiness: 200 when the table and the bucket answer, 503 naming what does not."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from cairn.http.body import JSONRoute
from cairn.platform.service import engine, health

router = APIRouter(route_class=JSONRoute)


class HealthBody(BaseModel):
    status: str
    checks: dict[str, str]


class EngineStatusBody(BaseModel):
    version: str
    commit: str
    region: str
    features: list[str]


@router.get("/healthz")
def healthz() -> dict[str, bool]:
    return {"ok": True}


_READINESS: dict[int | str, dict[str, Any]] = {
    200: {"model": HealthBody},
    503: {"model": HealthBody, "description": "the table or the bucket does not answer (checks name which)"},
}


def _readiness() -> JSONResponse:
    report = health.check()
    body = HealthBody(status=report.status, checks=report.checks)
    return JSONResponse(body.model_dump(), status_code=200 if report.healthy else 503)


@router.get("/health", response_model=HealthBody, responses=_READINESS)
def health_root() -> JSONResponse:
    return _readiness()


@router.get("/api/v1/health", response_model=HealthBody, responses=_READINESS)
def health_v1() -> JSONResponse:
    return _readiness()


@router.get("/.well-known/engine-status")
def engine_status() -> EngineStatusBody:
    current = engine.status()
    return EngineStatusBody(version=current.version, commit=current.commit, region=current.region,
                            features=current.features)


@router.get("/openapi.json", response_class=Response,
            responses={200: {"content": {"application/json": {}}, "description": "The OpenAPI document"}})
@router.get("/api/v1/openapi", response_class=Response,
            responses={200: {"content": {"application/json": {}}, "description": "The OpenAPI document"}})
def openapi() -> Response:
    return Response(engine.contract_bytes(), media_type="application/json")


@router.get("/docs", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}, "description": "Swagger UI on /openapi.json"}})
def docs() -> HTMLResponse:
    # Swagger UI's script and styles come from a CDN (jsDelivr): the page needs a browser that is online.
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Cairn - Swagger UI")
