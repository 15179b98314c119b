"""Request bodies of the sources and connections routes (memory-api.md "External Sources"; what Cairn adds
is in docs/sources.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from cairn.http.fields import ProjectId, RequestModel, text_field
from cairn.http.fields import _identifier as identifier
from cairn.sources.domain.sources import SOURCE_ID_MAX

SourceType = Literal["slack", "jira", "confluence", "github"]
SourceId = Annotated[str, text_field(SOURCE_ID_MAX, 1), AfterValidator(identifier)]
TOKEN_MAX = 4096
URL_MAX = 2048
EMAIL_MAX = 320
CONFIG_FIELDS_MAX = 50
CONFIG_BYTES_MAX = 16_384  # a source item stays small: it is read by every page of a sync


def _config(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None and len(value) > CONFIG_FIELDS_MAX:
        raise ValueError(f"at most {CONFIG_FIELDS_MAX} fields")
    if value is not None and len(json.dumps(value, ensure_ascii=False).encode()) > CONFIG_BYTES_MAX:
        raise ValueError(f"at most {CONFIG_BYTES_MAX} bytes of JSON")
    return value


class CreateSource(RequestModel):
    sourceId: SourceId
    projectId: ProjectId
    sourceType: SourceType
    config: Annotated[dict[str, Any], AfterValidator(_config)] = Field(default_factory=dict)


class UpdateSource(RequestModel):
    """Partial: only the fields sent change (null is not a value of any of them)."""

    projectId: ProjectId | None = None
    sourceType: SourceType | None = None
    config: Annotated[dict[str, Any] | None, AfterValidator(_config)] = None
    enabled: bool | None = None

    @field_validator("projectId", "sourceType", "config", "enabled", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null (leave the field out to keep it)")
        return value


class PutConnection(RequestModel):
    token: Annotated[str, text_field(TOKEN_MAX, 1)]
    baseUrl: Annotated[str, text_field(URL_MAX, 1)] | None = None
    email: Annotated[str, text_field(EMAIL_MAX, 3, r"^[^@\s]+@[^@\s]+$")] | None = None
    webhookSecret: Annotated[str, text_field(TOKEN_MAX, 16)] | None = None
