"""What a route group's OpenAPI document says beyond FastAPI's defaults, derived from each route's dependencies
so that routes carry no per-route boilerplate:

- the error answers a route can give, each an ``ErrorBody`` (docs/errors.md), instead of FastAPI's 422
  validation answer (Cairn answers 400; 422 means only a reused Idempotency-Key);
- the bearer scheme (``HTTPBearer``) on every route that checks a token. Authentication itself stays in
  ``cairn.http.auth``: this only describes it.

A route declaring ``responses={status: ...}`` itself keeps its own description.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

from cairn.http.auth import access_checks
from cairn.http.error_bodies import DetailBody, ErrorBody
from cairn.http.idempotency import Once

BEARER = "HTTPBearer"
_SCHEMAS = "#/components/schemas/"
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_DESCRIPTIONS = {
    400: "invalid_input: a body, query or path value breaks a rule",
    401: "unauthenticated: missing, malformed, expired or wrongly signed bearer token",
    403: "forbidden: the token's roles do not allow this, or x-workspace-id is not the token's tenant",
    404: "not_found: the resource does not exist in the caller's tenant",
    409: "conflict: the resource exists or is closed, or the same Idempotency-Key is in flight",
    422: "idempotency_key_reused: the Idempotency-Key was used before with a different body",
    500: "internal_error: quote the correlationId when reporting it",
    503: "contention: nothing was written; retry after Retry-After seconds",
}


def _dependencies(dependant: Any) -> list[Any]:
    """Every dependency of a route, nested ones included."""
    found = list(dependant.dependencies)
    for sub in dependant.dependencies:
        found.extend(_dependencies(sub))
    return found


def _has_inputs(dependant: Any) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params or dependant.body_params:
        return True
    return any(_has_inputs(sub) for sub in dependant.dependencies)


def error_statuses(route: Any) -> list[int]:
    """The error statuses a route can answer, from what it depends on: inputs can be invalid, a token can be
    refused, a path can name nothing, and an idempotent write can conflict, be replayed with another body or
    give up under contention. Every route can fail unexpectedly."""
    dependant = route.dependant
    statuses = {500}
    if _has_inputs(dependant):
        statuses.add(400)
    if access_checks(dependant):
        statuses |= {401, 403}
    if dependant.path_params or any(sub.path_params for sub in _dependencies(dependant)):
        statuses.add(404)
    if any(isinstance(sub.call, type) and issubclass(sub.call, Once) for sub in _dependencies(dependant)):
        statuses |= {409, 422, 503}
    return sorted(statuses)


def _error_response(status: int, body: type[ErrorBody | DetailBody]) -> dict[str, Any]:
    return {"description": _DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": f"{_SCHEMAS}{body.__name__}"}}}}


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref") == f"{_SCHEMAS}HTTPValidationError")


def publish(document: dict[str, Any], routes: list[Any], detail_errors: bool = False) -> dict[str, Any]:
    """``document`` (FastAPI's, for ``routes``) with Cairn's error answers and bearer scheme; changed in place.
    ``detail_errors``: the app answers errors as ``DetailBody`` (cairn.http.error_bodies)."""
    body = DetailBody if detail_errors else ErrorBody
    for route in iter_route_contexts(routes):  # included routers' routes, with their prefixes
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        operations = document["paths"][route.path_format]
        for method in route.methods or ():
            operation = operations[method.lower()]
            responses = operation.setdefault("responses", {})
            if _is_fastapi_validation(responses.get("422", {})):
                del responses["422"]
            for status in error_statuses(route):
                responses.setdefault(str(status), _error_response(status, body))
            if access_checks(route.dependant):
                operation["security"] = [{BEARER: []}]
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    error_schema = body.model_json_schema(ref_template=_SCHEMAS + "{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas[body.__name__] = error_schema
    components["securitySchemes"] = {BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    return document
