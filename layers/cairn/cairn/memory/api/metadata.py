"""Metadata segments: the write side of the recall ``metadata`` view."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from cairn.core.errors import InvalidInput
from cairn.core.limits import METADATA_DOCUMENT_MAX_BYTES
from cairn.http.body import JSONRoute
from cairn.http.fields import SegmentName
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.memory.api.responses import MetadataSegment
from cairn.memory.service import metadata

router = APIRouter(prefix="/api/v1/memory/projects/{id}", route_class=JSONRoute)
Segment = Annotated[SegmentName, Path()]


@router.put("/metadata/{segment}", response_model=MetadataSegment, response_model_exclude_unset=True)
def put_metadata(project_id: ProjectIdPath, segment: Segment, content: Annotated[dict[str, Any], Body()],
                 once: Idempotent) -> Any:
    size = len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > METADATA_DOCUMENT_MAX_BYTES:
        raise InvalidInput(f"metadata document is {size} bytes; at most {METADATA_DOCUMENT_MAX_BYTES} are allowed",
                           field="body")
    return once(content, lambda: metadata.put(once.tenant, project_id, segment, content))
