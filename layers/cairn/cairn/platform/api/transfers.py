"""POST /api/v1/exports and POST /api/v1/imports: jobs that copy projects out of and into the caller's tenant
(docs/platform.md, "Jobs"). Data admins only (``admin``, ``data_admin``); ``Idempotency-Key`` required."""

from __future__ import annotations

from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends
from pydantic import Field, model_validator

from cairn.http.auth import Principal, require_data_admin
from cairn.http.body import JSONRoute
from cairn.http.fields import ProjectId, RequestModel
from cairn.platform.api.conventions import IdempotencyRequired
from cairn.platform.service import exports, imports

router = APIRouter(route_class=JSONRoute)
DataAdmin = Annotated[Principal, Depends(require_data_admin)]


class ExportRequest(RequestModel):
    # Absent: every live project of the tenant. At most 100 (an export job lists its projects on its item).
    projectIds: list[ProjectId] | None = Field(default=None, min_length=1, max_length=100)


class ImportRequest(RequestModel):
    # {"old-id": "new-id"}: each exported project to import, and the NEW project it becomes.
    projectIdMap: dict[ProjectId, ProjectId] = Field(min_length=1, max_length=imports.MAX_PROJECTS)
    upload: bool = False
    fromJobId: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.upload == (self.fromJobId is not None):
            raise ValueError("send exactly one of upload: true and fromJobId")
        return self


@router.post("/api/v1/exports", status_code=202)
def create_export(body: ExportRequest, once: IdempotencyRequired, principal: DataAdmin) -> Any:
    return once(body, lambda: exports.request(principal.tenant, body.projectIds))


@router.post("/api/v1/imports", status_code=202)
def create_import(body: ImportRequest, once: IdempotencyRequired, principal: DataAdmin) -> Any:
    return once(body, lambda: imports.request(principal.tenant, body.projectIdMap, upload=body.upload,
                                              from_job_id=body.fromJobId))
