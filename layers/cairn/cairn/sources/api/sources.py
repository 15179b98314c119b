"""/api/v1/memory/sources: create, list, update, delete, sync, status and records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from cairn.core import limits
from cairn.http.auth import Admin, Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.sources.api.models import CreateSource, UpdateSource
from cairn.sources.api.responses import RecordList, Source, SourceList, SourceStatus
from cairn.sources.service import sources, sync

router = APIRouter(prefix="/api/v1/memory/sources", route_class=JSONRoute)
SourceIdPath = Annotated[str, Path(alias="id")]
RECORDS_LIMIT_DEFAULT = 50


@router.post("", response_model=Source)
def create_source(body: CreateSource, once: Idempotent) -> Any:
    return once(body, lambda: sources.create(once.tenant, body.sourceId, body.projectId, body.sourceType,
                                             body.config))


@router.get("", response_model=SourceList)
def list_sources(principal: Reader) -> dict[str, Any]:
    return {"sources": sources.list_all(principal.tenant)}


@router.put("/{id}", response_model=Source)
def update_source(source_id: SourceIdPath, body: UpdateSource, once: Idempotent) -> Any:
    changes = body.model_dump(include=body.model_fields_set)
    return once(body, lambda: sources.update(once.tenant, source_id, changes))


@router.delete("/{id}")
def delete_source(source_id: SourceIdPath, once: Idempotent, _: Admin) -> Response:
    once(None, lambda: sources.delete(once.tenant, source_id))
    return Response(status_code=200)


@router.post("/{id}/sync", response_model=SourceStatus)
def sync_source(source_id: SourceIdPath, once: Idempotent) -> Any:
    return once(None, lambda: sources.status_of(sync.start_sync(once.tenant, source_id)))


@router.get("/{id}/status", response_model=SourceStatus)
def source_status(source_id: SourceIdPath, principal: Reader) -> dict[str, Any]:
    return sources.status(principal.tenant, source_id)


@router.get("/{id}/records", response_model=RecordList)
def source_records(
    source_id: SourceIdPath,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=limits.PAGE_LIMIT_MAX)] = RECORDS_LIMIT_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    return {"records": sources.list_records(principal.tenant, source_id, limit=limit, offset=offset)}
