"""One JSON error shape for every 4xx and 5xx (docs/errors.md):

    {"error": {"code": "...", "message": "...", "field": "...", "details": [...]}, "correlationId": "..."}

Errors raised below the HTTP room carry a code only; ``STATUS`` gives each class its HTTP status. The shape's
models, which only the OpenAPI document uses, are in ``cairn.http.error_bodies``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cairn.core.errors import (
    Busy,
    CairnError,
    Conflict,
    Forbidden,
    Gone,
    IdempotencyMismatch,
    InsufficientCredits,
    IntegrationNotConfigured,
    InvalidInput,
    NotFound,
    Unauthenticated,
    UpstreamError,
)
from cairn.core.observability import logger
from cairn.http import access
from cairn.http.auth import check_route_access
from cairn.http.correlation import HEADER as CORRELATION_HEADER
from cairn.http.correlation import correlation_id

# The HTTP status of each error class; a class not listed answers its nearest listed ancestor's.
STATUS: dict[type[CairnError], int] = {
    CairnError: 500,
    InvalidInput: 400,
    Unauthenticated: 401,
    InsufficientCredits: 402,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    IntegrationNotConfigured: 409,
    IdempotencyMismatch: 422,
    UpstreamError: 502,
    Busy: 503,
}

# 400 from FastAPI itself is a body it could not parse (cairn.http.body decodes bodies first, so only a fallback).
_HTTP_CODES = {400: "invalid_input", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type"}

RETRY_AFTER_SECONDS = "1"


def status_of(error: CairnError) -> int:
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


def error_response(status: int, code: str, message: str, field: str | None = None,
                   details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    if details:
        error["details"] = details
    access.note_error(code)
    return JSONResponse({"error": error, "correlationId": correlation_id.get()}, status_code=status,
                        headers=headers)


def _field_name(location: tuple[Any, ...]) -> str:
    # Only the leading part names where the value came from: a body field may be called "query".
    if location and location[0] in ("body", "query", "path", "header"):
        location = location[1:]
    return ".".join(str(part) for part in location) or "body"


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for problem in exc.errors():
        message, field = problem["msg"], _field_name(tuple(problem["loc"]))
        if problem["type"] == "missing":
            message = "Field required"
        elif problem["type"] == "json_invalid":  # its location is a character offset, not a field
            message, field = "request body is not valid JSON", "body"
        details.append({"field": field, "message": message})
    return details


def _detail_style(request: Request) -> bool:
    """The app answers errors as FastAPI does, ``{"detail": ...}`` (the task engine's routes, whose spec says so)."""
    return bool(getattr(request.app.state, "detail_errors", False))


def detail_response(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _cairn_error_response(exc: CairnError, detail: bool = False) -> JSONResponse:
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:  # contention: worth retrying, after a pause (RFC 9110 Retry-After, in seconds)
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if detail:  # the detail names the field, as Cairn's shape does in its own member
        access.note_error(exc.code)
        named = exc.field and exc.field not in exc.message
        return detail_response(status, f"{exc.field}: {exc.message}" if named else exc.message, headers)
    return error_response(status, exc.code, exc.message, exc.field, headers=headers)


# Starlette calls each handler with the exception class it was registered for (``install``); the handlers are
# typed for any exception, as ``add_exception_handler`` expects, and re-raise what they were not made for.

async def _on_validation(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):
        raise exc
    try:
        await run_in_threadpool(check_route_access, request)  # may fetch the JWKS: off the event loop
    except CairnError as denied:
        return _cairn_error_response(denied, _detail_style(request))
    if _detail_style(request):  # FastAPI's list of problems, without the offending input (it may be a secret)
        access.note_error("invalid_input")
        return detail_response(400, [{"loc": list(problem["loc"]), "msg": problem["msg"], "type": problem["type"]}
                                     for problem in exc.errors()])
    details = _validation_details(exc)
    first = details[0]
    return error_response(400, "invalid_input", f"{first['field']}: {first['message']}", first["field"], details)


async def _on_cairn_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, CairnError):
        raise exc
    return _cairn_error_response(exc, _detail_style(request))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":  # no route matched (routes never redirect)
        message = f"no route for {request.method} {request.url.path}"
    headers = dict(exc.headers) if exc.headers else None
    if _detail_style(request):
        access.note_error(_HTTP_CODES.get(exc.status_code, "http_error"))
        return detail_response(exc.status_code, message, headers)
    return error_response(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), message,
                          headers=headers)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    logger().exception("unhandled error")
    # Starlette answers unhandled errors outside every middleware, so the header is set here.
    if _detail_style(request):
        access.note_error("internal_error")
        return detail_response(500, "internal error; quote the x-correlation-id when reporting it",
                               {CORRELATION_HEADER: correlation_id.get()})
    return error_response(500, "internal_error", "internal error; quote the correlationId when reporting it",
                          headers={CORRELATION_HEADER: correlation_id.get()})


def install(app: FastAPI, *, detail_errors: bool = False) -> None:
    app.state.detail_errors = detail_errors
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(CairnError, _on_cairn_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
