"""The models of the error bodies ``cairn.http.errors`` writes (docs/errors.md), for the OpenAPI document only
(``cairn.http.openapi``, build time): the handlers write the bodies as plain JSON, so a function's cold start
builds none of these models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# Omitted when empty, never null: the schema shows the value's type only, and no default.
_OMITTED_WHEN_EMPTY = Field(default=None, json_schema_extra=_without_default)


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    field: str | SkipJsonSchema[None] = _OMITTED_WHEN_EMPTY
    details: list[ErrorDetail] | SkipJsonSchema[None] = _OMITTED_WHEN_EMPTY


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer (docs/errors.md)."""

    error: ErrorInfo
    correlationId: str  # noqa: N815 - the wire name


class DetailProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class DetailBody(BaseModel):
    """The body of every 4xx and 5xx answer of an app built with ``detail_errors`` (the task engine, as FastAPI
    answers): a message, or the list of a request's validation problems."""

    detail: str | list[DetailProblem]
