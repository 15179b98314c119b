"""Builds a route group's FastAPI app and its Lambda handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from cairn.core.observability import count, instrumented
from cairn.core.settings import get_settings, require
from cairn.http import errors
from cairn.http.body import JSONRoute
from cairn.http.correlation import CorrelationMiddleware


class CairnApp(FastAPI):
    """A route group's app; its OpenAPI document (built on demand, by ``make openapi`` and the dev server) says
    what Cairn answers: its error bodies and bearer scheme (cairn.http.openapi)."""

    def openapi(self) -> dict[str, Any]:
        # Imported here: the document is built at build time (and by the dev server), never in a Lambda, whose
        # cold start would otherwise build the error bodies' models for nothing.
        from cairn.http import openapi

        if self.openapi_schema is None:
            self.openapi_schema = openapi.publish(super().openapi(), self.routes,
                                                  bool(getattr(self.state, "detail_errors", False)))
        return self.openapi_schema


def create_app(title: str, *routers: APIRouter, detail_errors: bool = False,
               required: tuple[tuple[str, ...], ...] = ()) -> FastAPI:
    """The route group's app. Reads the settings first: a function deployed without its resource names or token
    settings (or a group of ``required`` ones) fails at cold start, naming them, instead of failing its first
    request (cairn.core.settings). ``detail_errors``: errors in FastAPI's ``{"detail": ...}`` shape instead of
    Cairn's (the task engine's routes, docs/task-engine.md)."""
    require(get_settings(), *required)
    # The OpenAPI document and Swagger UI stay off the Lambda's cold path. No route ever redirects: with
    # redirect_slashes, ".../victim%2F" answered 307 towards ".../victim" with a Location built from the Host
    # header, so a client that followed it acted on another resource. An unmatched path is a 404 in the error shape.
    app = CairnApp(title=title, openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)
    errors.install(app, detail_errors=detail_errors)
    for router in routers:
        loose = [route.path for route in router.routes if isinstance(route, APIRoute)
                 and not isinstance(route, JSONRoute)]
        if loose:  # their bodies would be decoded by FastAPI alone (cairn.http.body)
            raise TypeError(f"routes not built with route_class=JSONRoute: {', '.join(loose)}")
        app.include_router(router)
    app.add_middleware(CorrelationMiddleware)
    return app


def lambda_handler(app: FastAPI, route_group: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """API Gateway HTTP API event -> ASGI app, with Powertools logging, tracing and metrics."""
    from mangum import Mangum

    asgi = Mangum(app, lifespan="off")

    @instrumented("routeGroup", route_group)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response = asgi(event, context)
        status_class = f"{response.get('statusCode', 500) // 100}xx"
        count(f"Responses{status_class}", 1)
        return response

    return handler
