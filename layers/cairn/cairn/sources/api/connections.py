"""/api/v1/memory/connections: a tenant's credentials for each provider (admin role; secrets never answered)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from cairn.http.auth import Admin, Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.sources.api.models import PutConnection
from cairn.sources.api.responses import Connection, ConnectionList
from cairn.sources.service import connections

router = APIRouter(prefix="/api/v1/memory/connections", route_class=JSONRoute)
ProviderPath = Annotated[str, Path(alias="provider")]


@router.put("/{provider}", response_model=Connection, response_model_exclude_none=True)
def put_connection(provider: ProviderPath, body: PutConnection, request: Request, once: Idempotent,
                   _: Admin) -> Any:
    return once(body, lambda: connections.put(once.tenant, provider, token=body.token, base_url=body.baseUrl,
                                              email=body.email, webhook_secret=body.webhookSecret,
                                              api_base_url=str(request.base_url)))


@router.get("", response_model=ConnectionList, response_model_exclude_none=True)
def list_connections(principal: Reader, request: Request) -> dict[str, Any]:
    return {"connections": connections.list_all(principal.tenant, str(request.base_url))}


@router.delete("/{provider}")
def delete_connection(provider: ProviderPath, once: Idempotent, _: Admin) -> Response:
    once(None, lambda: connections.delete(once.tenant, provider))
    return Response(status_code=200)
